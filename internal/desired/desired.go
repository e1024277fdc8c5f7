// Package desired computes the desired schema: what GORM's AutoMigrate creates
// for the models on SQLite, inspected and normalised by Atlas.
package desired

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	gsqlite "github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/gormddl"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Schema runs GORM's AutoMigrate for models on a private in-memory database
// and returns the result as Atlas inspects it (schema "main"). It declares
// no views or triggers (objects.MarkUnknown).
func Schema(ctx context.Context, models ...any) (*schema.Schema, error) {
	return SchemaOf(ctx, nil, models...)
}

// SchemaOf is Schema with the program's Desired hook: when set, the
// statements of its DDL, run on the private database instead of
// AutoMigrate, are the desired state, tables, views and triggers.
func SchemaOf(ctx context.Context, hook Hook, models ...any) (*schema.Schema, error) {
	return build(ctx, &gorm.Config{}, hook, models)
}

// build computes the desired schema with GORM configured by cfg (a copy is
// used: gorm.Open fills in the one it is given).
func build(ctx context.Context, cfg *gorm.Config, hook Hook, models []any) (*schema.Schema, error) {
	db, err := sqlitedb.OpenMemory("desired")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	c := *cfg
	c.Logger = logger.Discard
	gdb, err := gorm.Open(gsqlite.Dialector{Conn: db}, &c)
	if err != nil {
		return nil, fmt.Errorf("desired: open gorm: %w", err)
	}
	if hook == nil {
		if err := gdb.WithContext(ctx).AutoMigrate(models...); err != nil {
			return nil, fmt.Errorf("desired: gorm AutoMigrate: %w", err)
		}
	} else if err := runHook(ctx, db, hook, models); err != nil {
		return nil, err
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	s, err := objects.Inspect(ctx, drv, nil)
	if err != nil {
		return nil, fmt.Errorf("desired: inspect: %w", err)
	}
	if hook == nil {
		objects.MarkUnknown(s)
	}
	if err := ident.CheckSchema(s); err != nil {
		return nil, ident.At(err, "models"+structOf(gdb, models, err))
	}
	if err := skipped(ctx, db); err != nil {
		return nil, ident.At(err, "models"+structOf(gdb, models, err))
	}
	return s, nil
}

// skipped refuses a table GORM made that Atlas's inspection left out.
func skipped(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, "SELECT `name` FROM `sqlite_master` WHERE `type` = 'table'")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if ident.Skipped(name) {
			return ident.SkippedError(name)
		}
	}
	return rows.Err()
}

// structOf names the model whose table a refused name belongs to, as
// ": struct T" ("" for a join table, which has no struct).
func structOf(gdb *gorm.DB, models []any, err error) string {
	var ne *ident.NameError
	if !errors.As(err, &ne) {
		return ""
	}
	for _, m := range models {
		stmt := &gorm.Statement{DB: gdb}
		if stmt.Parse(m) == nil && stmt.Schema.Table == ne.InTable() {
			return ": struct " + stmt.Schema.Name
		}
	}
	return ""
}

// DDL returns the statements that create the desired schema on an empty
// database, formatted as an Atlas migration file (comment + statement).
// The official CLI can replay it as a data "external_schema" program.
func DDL(ctx context.Context, models ...any) (string, error) {
	return DDLOf(ctx, nil, models...)
}

// DDLOf is DDL with the program's Desired hook (see SchemaOf); the views
// and triggers come after the tables, as SQLite stored them.
func DDLOf(ctx context.Context, hook Hook, models ...any) (string, error) {
	s, err := SchemaOf(ctx, hook, models...)
	if err != nil {
		return "", err
	}
	return ddl(ctx, s)
}

// AutoMigrateDDL is DDL for GORM configured by cfg (nil: the default):
// what AutoMigrate creates, for a Desired hook to add views and triggers to.
func AutoMigrateDDL(ctx context.Context, cfg *gorm.Config, models ...any) (string, error) {
	if cfg == nil {
		cfg = &gorm.Config{}
	}
	s, err := build(ctx, cfg, nil, models)
	if err != nil {
		return "", err
	}
	return ddl(ctx, s)
}

// ddl formats the statements that create s on an empty database.
func ddl(ctx context.Context, s *schema.Schema) (string, error) {
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return "", err
	}
	defer dev.Close()
	changes, err := dev.Driver.SchemaDiff(schema.New(s.Name), s)
	if err != nil {
		return "", err
	}
	objs := objects.DiffObjects(nil, objects.Of(s))
	if len(changes) == 0 && len(objs) == 0 {
		return "", nil
	}
	plan := &migrate.Plan{Name: "schema"}
	if len(changes) > 0 {
		plan, err = gormddl.Plan(ctx, dev.Driver, "schema", changes, func(o *migrate.PlanOptions) {
			o.SchemaQualifier = new(string) // unqualified, like generated migration files
		})
		if err != nil {
			return "", err
		}
	}
	for _, c := range objs {
		c := c.(*objects.Change)
		plan.Changes = append(plan.Changes, &migrate.Change{Cmd: c.Cmd(), Comment: c.Comment()})
	}
	// The names are checked above; this is the last line of defence, as for
	// generated migration files (plan.CheckPlan).
	for _, c := range plan.Changes {
		if err := migdir.OneStmt(c.Cmd); err != nil {
			return "", fmt.Errorf("desired: statement %q is not one complete SQL statement (%v); refused", migdir.OneLine(c.Cmd, 80), err)
		}
	}
	files, err := migrate.DefaultFormatter.Format(plan)
	if err != nil {
		return "", err
	}
	return string(files[0].Bytes()), nil
}
