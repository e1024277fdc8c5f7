package apply

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/analyze"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
)

// Lint codes of Atlas's destructive analyzer that excuse a reviewed loss.
const (
	codeDropTable  = "DS102"
	codeDropColumn = "DS103"
	analyzerName   = "destructive"
)

// losses finds the tables and columns the pending files drop that hold data
// on the live database, leaving out statements that carry the reviewed-loss
// excuse `-- atlas:nolint DS102` / `DS103`.
func losses(ctx context.Context, o Options, pending []migrate.File) ([]guard.Loss, error) {
	if !mayDrop(pending) {
		return nil, nil // nothing can drop without a DROP statement: skip the replay
	}
	all, err := o.Dir.Files()
	if err != nil {
		return nil, err
	}
	var base []migrate.File
	for _, f := range all {
		if f.Version() < pending[0].Version() {
			base = append(base, f)
		}
	}
	sess, err := analyze.Load(ctx, o.Dir, base, pending)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	var drops []guard.Drop
	for _, f := range sess.Files {
		for _, c := range f.Changes {
			stmts := analyze.Stmts(f, c)
			where := filepath.Join(o.Dir.Path(), f.Name()) + ":" + strconv.Itoa(migdir.Line(f.Bytes(), c.Stmt.Pos))
			for _, ch := range c.Changes {
				switch ch := ch.(type) {
				case *schema.DropTable:
					if !analyze.Nolint(f.File, stmts, codeDropTable, analyzerName) {
						drops = append(drops, guard.Drop{Table: ch.T.Name, Where: where})
					}
				case *schema.ModifyTable:
					for _, mc := range ch.Changes {
						if dc, ok := mc.(*schema.DropColumn); ok && !analyze.Nolint(f.File, stmts, codeDropColumn, analyzerName) {
							drops = append(drops, guard.Drop{Table: ch.T.Name, Column: dc.C.Name, Where: where})
						}
					}
				}
			}
		}
	}
	if len(drops) == 0 {
		return nil, nil
	}
	drv, err := sqlite.Open(o.DB)
	if err != nil {
		return nil, err
	}
	live, err := drv.InspectSchema(ctx, "", &schema.InspectOptions{Exclude: []string{revisions.Table}})
	if err != nil {
		return nil, err
	}
	return guard.Count(ctx, o.DB, live, drops)
}

func mayDrop(files []migrate.File) bool {
	for _, f := range files {
		if strings.Contains(strings.ToUpper(string(f.Bytes())), "DROP") {
			return true
		}
	}
	return false
}
