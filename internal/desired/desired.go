// Package desired computes the desired schema: what GORM's AutoMigrate creates
// for the models on SQLite, inspected and normalised by Atlas.
package desired

import (
	"context"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	gsqlite "github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Schema runs GORM's AutoMigrate for models on a private in-memory database
// and returns the result as Atlas inspects it (schema "main").
func Schema(ctx context.Context, models ...any) (*schema.Schema, error) {
	db, err := sqlitedb.OpenMemory("desired")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	gdb, err := gorm.Open(gsqlite.Dialector{Conn: db}, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, fmt.Errorf("desired: open gorm: %w", err)
	}
	if err := gdb.WithContext(ctx).AutoMigrate(models...); err != nil {
		return nil, fmt.Errorf("desired: gorm AutoMigrate: %w", err)
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	s, err := drv.InspectSchema(ctx, "", nil)
	if err != nil {
		return nil, fmt.Errorf("desired: inspect: %w", err)
	}
	return s, nil
}

// DDL returns the statements that create the desired schema on an empty
// database, formatted as an Atlas migration file (comment + statement).
// The official CLI can replay it as a data "external_schema" program.
func DDL(ctx context.Context, models ...any) (string, error) {
	s, err := Schema(ctx, models...)
	if err != nil {
		return "", err
	}
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return "", err
	}
	defer dev.Close()
	changes, err := dev.Driver.SchemaDiff(schema.New(s.Name), s)
	if err != nil {
		return "", err
	}
	if len(changes) == 0 {
		return "", nil
	}
	plan, err := dev.Driver.PlanChanges(ctx, "schema", changes, func(o *migrate.PlanOptions) {
		o.SchemaQualifier = new(string) // unqualified, like generated migration files
	})
	if err != nil {
		return "", err
	}
	files, err := migrate.DefaultFormatter.Format(plan)
	if err != nil {
		return "", err
	}
	return string(files[0].Bytes()), nil
}
