package desired

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// Hook returns the desired schema as SQLite DDL: tables, indexes, views and
// triggers (migrator.Program.Desired). atlas-provider-gorm's
// gormschema.New("sqlite", gormschema.WithConfig(cfg)).Load(models...) is
// one; AutoMigrateDDL plus hand-written CREATE VIEW/TRIGGER is another.
type Hook func(cfg *gorm.Config, models []any) (string, error)

// HookError names the statement of the hook's DDL that failed.
type HookError struct {
	Line int    // 1-based line of the statement in the DDL; 0: the hook itself failed
	Stmt string // one line
	Err  error
}

func (e *HookError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("models: the Desired hook failed: %v", e.Err)
	}
	return fmt.Sprintf("models: the Desired hook's DDL, line %d: %q: %v", e.Line, e.Stmt, e.Err)
}

func (e *HookError) Unwrap() error { return e.Err }

// runHook runs the hook's statements on db, one by one, split as migration
// files are (a CREATE TRIGGER … BEGIN …; END stays whole).
func runHook(ctx context.Context, db *sql.DB, hook Hook, cfg *gorm.Config, models []any) error {
	ddl, err := hook(cfg, models)
	if err != nil {
		return &HookError{Err: err}
	}
	f := migrate.NewLocalFile("desired.sql", []byte(ddl))
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		return &HookError{Err: fmt.Errorf("split its DDL: %w", err)}
	}
	if len(stmts) == 0 {
		return &HookError{Err: errors.New("it returned no statement")}
	}
	for _, st := range stmts {
		if _, err := db.ExecContext(ctx, st.Text); err != nil {
			return &HookError{Line: migdir.Line(f.Bytes(), st.Pos), Stmt: migdir.OneLine(strings.TrimSpace(st.Text), 120), Err: err}
		}
	}
	return nil
}
