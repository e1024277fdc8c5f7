// Package desired computes the desired schema: what GORM's AutoMigrate creates
// for the models on SQLite, inspected and normalised by Atlas.
package desired

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	gsqlite "github.com/glebarez/sqlite"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/gormddl"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Schema runs GORM's AutoMigrate for models on a private in-memory database,
// with the options' GORM config and the join tables the list declares
// (jointables.go), and returns the result as Atlas inspects it (schema
// "main"). It declares no views or triggers (objects.MarkUnknown). With
// the options' Desired hook, the statements of its DDL run instead of
// AutoMigrate, and what they create, views and triggers included, is the
// desired state.
func (o Options) Schema(ctx context.Context, models ...any) (*schema.Schema, error) {
	db, err := sqlitedb.OpenMemory("desired")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	gdb, err := gorm.Open(gsqlite.Dialector{Conn: db}, o.gormConfig())
	if err != nil {
		return nil, fmt.Errorf("desired: open gorm: %w", err)
	}
	if o.Desired != nil {
		if err := runHook(ctx, db, o.Desired, o.gormConfig(), models); err != nil {
			return nil, err
		}
	} else {
		ordered, err := setupJoinTables(gdb, models)
		if err != nil {
			return nil, fmt.Errorf("desired: %w", err)
		}
		if err := gdb.WithContext(ctx).AutoMigrate(ordered...); err != nil {
			return nil, fmt.Errorf("desired: gorm AutoMigrate: %w", err)
		}
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	s, err := objects.Inspect(ctx, drv, nil)
	if err != nil {
		return nil, fmt.Errorf("desired: inspect: %w", err)
	}
	if o.Desired == nil {
		objects.MarkUnknown(s)
	}
	if err := ident.CheckSchema(s); err != nil {
		return nil, ident.At(err, "models"+structOf(gdb, models, err))
	}
	if err := skipped(ctx, db); err != nil {
		return nil, ident.At(err, "models"+structOf(gdb, models, err))
	}
	// GORM creates a custom join table's foreign keys in map order; by
	// name, the generated file is the same on every run. Keys compare by
	// name, so the order changes nothing else.
	for _, t := range s.Tables {
		slices.SortStableFunc(t.ForeignKeys, func(a, b *schema.ForeignKey) int { return strings.Compare(a.Symbol, b.Symbol) })
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

// DDL is the package's DDL with the options; the views and triggers come
// after the tables, as SQLite stored them.
func (o Options) DDL(ctx context.Context, models ...any) (string, error) {
	s, err := o.Schema(ctx, models...)
	if err != nil {
		return "", err
	}
	return SchemaDDL(ctx, s)
}

// SchemaDDL writes s (the desired state, a database or a replayed
// directory) as the statements that create it on an empty database.
func SchemaDDL(ctx context.Context, s *schema.Schema) (string, error) {
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
