package guard

import (
	"fmt"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/analyze"
	"github.com/structmigrate/structmigrate/internal/migdir"
)

// Writers tells which statements of a unit wrote a table (Unit, PGUnit).
type Writers interface{ Writers(table string) []string }

// Undeclared splits losses into those f does not declare and those it
// does: an `-- atlas:nolint DS102` (rows, tables) or `DS103` (values,
// columns) directive — or `destructive`, or a bare nolint — in f's header
// or on a statement of f that wrote the table. A nil f (a computed
// rollback) declares nothing. Each loss is located at path:line of the
// first statement that wrote its table.
func Undeclared(f migrate.File, path string, u Writers, losses []Loss) (open, declared []Loss, err error) {
	if f == nil {
		return losses, nil, nil
	}
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range losses {
		var writers []*migrate.Stmt
		for _, w := range u.Writers(l.Table) {
			for _, st := range stmts {
				if st.Text == w {
					writers = append(writers, st)
				}
			}
		}
		if len(writers) > 0 {
			l.Where = fmt.Sprintf("%s:%d", path, migdir.Line(f.Bytes(), writers[0].Pos))
		}
		if analyze.Nolint(f, writers, l.Kind.Code(), AnalyzerName) {
			declared = append(declared, l)
		} else {
			open = append(open, l)
		}
	}
	return open, declared, nil
}
