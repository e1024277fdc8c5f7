package desired

import (
	"context"

	"ariga.io/atlas/sql/schema"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	gschema "gorm.io/gorm/schema"
)

// Options are what the models package declares beside its models list
// that shapes the desired state. The zero value is GORM's defaults.
type Options struct {
	// Gorm is the models package's GORM config (its GormConfig()); nil:
	// gorm.Config{}. Only the fields that shape the schema are read (see
	// gormConfig); it is never changed.
	Gorm *gorm.Config
	// Desired returns the desired schema as DDL, views and triggers
	// included (migrator.Program.Desired); nil: AutoMigrate, no views or
	// triggers. It gets a new config with the fields of Gorm that shape
	// the schema.
	Desired Hook
}

// gormConfig is a new config holding the fields of o.Gorm that shape what
// AutoMigrate creates. The rest (DryRun, PrepareStmt, ConnPool, plugins,
// the user's logger, and the schema cache of a config already opened)
// would change how, or whether, the statements run, not which ones: a
// whitelist keeps them out, and the user's value untouched.
func (o Options) gormConfig() *gorm.Config {
	c := &gorm.Config{Logger: logger.Discard}
	if u := o.Gorm; u != nil {
		c.NamingStrategy = u.NamingStrategy
		c.DisableForeignKeyConstraintWhenMigrating = u.DisableForeignKeyConstraintWhenMigrating
		c.IgnoreRelationshipsWhenMigrating = u.IgnoreRelationshipsWhenMigrating
	}
	return c
}

// namer is the naming strategy the models' tables and columns get, as
// gorm.Open defaults it.
func (o Options) namer() gschema.Namer {
	if o.Gorm != nil && o.Gorm.NamingStrategy != nil {
		return o.Gorm.NamingStrategy
	}
	return gschema.NamingStrategy{IdentifierMaxLength: 64}
}

// Schema runs GORM's AutoMigrate for models on a private in-memory database
// and returns the result as Atlas inspects it (schema "main").
func Schema(ctx context.Context, models ...any) (*schema.Schema, error) {
	return Options{}.Schema(ctx, models...)
}

// Hints parses the structmigrate tags of models.
func Hints(models ...any) (*Renames, error) {
	return Options{}.Hints(models...)
}

// AutoMigrateDDL is DDL for GORM configured by cfg (nil: the defaults):
// what AutoMigrate creates, for a Desired hook to add views and triggers to.
func AutoMigrateDDL(ctx context.Context, cfg *gorm.Config, models ...any) (string, error) {
	return Options{Gorm: cfg}.DDL(ctx, models...)
}

// DDL returns the statements that create the desired schema on an empty
// database, formatted as an Atlas migration file (comment + statement).
// The official CLI can replay it as a data "external_schema" program.
func DDL(ctx context.Context, models ...any) (string, error) {
	return Options{}.DDL(ctx, models...)
}
