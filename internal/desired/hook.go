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
	ddl, err := callHook(hook, cfg, models)
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
		fail := func(err error) error {
			return &HookError{Line: migdir.Line(f.Bytes(), st.Pos), Stmt: migdir.OneLine(strings.TrimSpace(st.Text), 120), Err: err}
		}
		// What the DDL creates is the desired state: a PRAGMA, an
		// INSERT or a DELETE would be run on a private database and
		// forgotten, so it is refused rather than silently lost.
		switch strings.ToUpper(firstWord(st.Text)) {
		case "CREATE", "ALTER", "DROP":
		default:
			return fail(errors.New("only CREATE, ALTER and DROP statements declare a schema; this one would run on a private database and be forgotten"))
		}
		if _, err := db.ExecContext(ctx, st.Text); err != nil {
			return fail(err)
		}
		// A TEMP table, view or trigger is not in the main schema that
		// is inspected: it would vanish from the desired state.
		var typ, name string
		switch err := db.QueryRowContext(ctx, "SELECT `type`, `name` FROM `temp`.`sqlite_master` LIMIT 1").Scan(&typ, &name); {
		case err == nil:
			return fail(fmt.Errorf("it creates the temporary %s %q, which is not part of the schema (drop TEMP)", typ, name))
		case !errors.Is(err, sql.ErrNoRows):
			return fail(err)
		}
	}
	return nil
}

// callHook calls hook; a panic is its error, not a crash of the tool.
func callHook(hook Hook, cfg *gorm.Config, models []any) (ddl string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("it panicked: %v", r)
		}
	}()
	return hook(cfg, models)
}

// firstWord is the statement's first keyword, after white space and
// comments.
func firstWord(stmt string) string {
	for {
		stmt = strings.TrimLeft(stmt, " \t\r\n\f\v")
		switch {
		case strings.HasPrefix(stmt, "--"):
			i := strings.IndexByte(stmt, '\n')
			if i < 0 {
				return ""
			}
			stmt = stmt[i+1:]
		case strings.HasPrefix(stmt, "/*"):
			i := strings.Index(stmt[2:], "*/")
			if i < 0 {
				return ""
			}
			stmt = stmt[i+4:]
		default:
			end := strings.IndexFunc(stmt, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_')
			})
			if end < 0 {
				end = len(stmt)
			}
			return stmt[:end]
		}
	}
}
