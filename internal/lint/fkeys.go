package lint

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// UnenforceableKey is a foreign key of a schema that SQLite cannot enforce
// (sqlitedb.Unenforceable), with the constraint's name.
type UnenforceableKey struct {
	sqlitedb.ForeignKey
	Symbol string // the constraint's name, "" when it has none
}

// Message says what is wrong with k.
func (k UnenforceableKey) Message() string {
	name := ""
	if k.Symbol != "" {
		name = " " + k.Symbol
	}
	return fmt.Sprintf("SQLite cannot enforce foreign key%s %s: %s", name, k.ForeignKey, k.Why())
}

// Hint says how to fix k.
func (k UnenforceableKey) Hint() string {
	to := strings.Join(k.To, ", ")
	return fmt.Sprintf("make (%s) unique in %s (GORM: the same `uniqueIndex:NAME` tag on each of those fields), "+
		"or keep GORM from creating the constraint: `constraint:-` in the association's gorm tag "+
		"(for all associations: gorm.Config DisableForeignKeyConstraintWhenMigrating)", to, k.Parent)
}

// Unenforceable returns the foreign keys of s that SQLite cannot enforce,
// asking SQLite on a dev database holding s.
func Unenforceable(ctx context.Context, s *schema.Schema) ([]UnenforceableKey, error) {
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	changes, err := dev.Driver.SchemaDiff(schema.New(s.Name), s)
	if err != nil {
		return nil, err
	}
	// Planned as every file is (GORM's defaults as written: Atlas's own
	// quoting rejects a "…" default with "" or \ inside).
	p, err := plan.PlanChanges(ctx, dev.Driver, "fkeys", changes)
	if err != nil {
		return nil, fmt.Errorf("lint: creating the schema on a dev database: %w", err)
	}
	for _, c := range p.Changes {
		if _, err := dev.DB.ExecContext(ctx, c.Cmd); err != nil {
			return nil, fmt.Errorf("lint: creating the schema on a dev database: %w", err)
		}
	}
	keys, err := sqlitedb.Unenforceable(ctx, dev.DB)
	if err != nil {
		return nil, err
	}
	out := make([]UnenforceableKey, len(keys))
	for i, k := range keys {
		out[i] = UnenforceableKey{ForeignKey: k, Symbol: symbol(s, k)}
	}
	return out, nil
}

// symbol finds k's constraint name in s.
func symbol(s *schema.Schema, k sqlitedb.ForeignKey) string {
	t, ok := s.Table(k.Child)
	if !ok {
		return ""
	}
	for _, fk := range t.ForeignKeys {
		var cols []string
		for _, c := range fk.Columns {
			cols = append(cols, c.Name)
		}
		if slices.Equal(cols, k.From) && fk.RefTable != nil && strings.EqualFold(fk.RefTable.Name, k.Parent) {
			return fk.Symbol
		}
	}
	return ""
}

// unenforceable reports the foreign keys of the directory's state that
// SQLite cannot enforce, each at the newest statement that creates its
// child table with it, when that file is new.
func unenforceable(ctx context.Context, dir migdir.Dir, files []migrate.File, isNew map[string]bool, current *schema.Schema, r *Report) error {
	keys, err := Unenforceable(ctx, current)
	if err != nil {
		return err
	}
	for _, k := range keys {
		file, line := dir.Path(), 0
		if f, pos, ok := creates(files, k); ok {
			if !isNew[f.Name()] {
				continue // reported when that file was new
			}
			file, line = filepath.Join(dir.Path(), f.Name()), migdir.Line(f.Bytes(), pos)
		}
		r.Add(Diagnostic{Rule: RuleForeignKey, Code: CodeUnenforceable, File: file, Line: line,
			Message: k.Message(), Hint: k.Hint(), Severity: SeverityWarning})
	}
	return nil
}

// creates finds the newest statement that creates k's child table (or the
// copy Atlas rebuilds it into, new_<child>) with a reference to k's parent.
func creates(files []migrate.File, k UnenforceableKey) (migrate.File, int, bool) {
	re := regexp.MustCompile("(?is)^\\s*CREATE\\s+TABLE\\s+[`\"]?(new_)?" + regexp.QuoteMeta(k.Child) +
		"[`\"]?\\s*\\(.*REFERENCES\\s+[`\"]?" + regexp.QuoteMeta(k.Parent) + "[`\"]?")
	for i := len(files) - 1; i >= 0; i-- {
		stmts, err := migdir.StmtDecls(files[i])
		if err != nil {
			continue
		}
		for j := len(stmts) - 1; j >= 0; j-- {
			if re.MatchString(stmts[j].Text) {
				return files[i], stmts[j].Pos, true
			}
		}
	}
	return nil, 0, false
}
