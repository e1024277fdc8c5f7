// Package migrator is structmigrate's public API: a team's own
// cmd/migrate/main.go lists its GORM models, embeds its migrations and
// atlas.hcl, and calls Main. Everything else of the tool stays internal.
//
//	//go:embed atlas.hcl
//	var config []byte
//
//	func main() {
//		migrator.Main(migrator.Program{
//			Models:     models.All(),
//			Migrations: migrations.FS,
//			Config:     config,
//		})
//	}
package migrator

import (
	"context"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/cli"
	"github.com/structmigrate/structmigrate/internal/desired"
)

// Program is what a migration binary is built with.
type Program struct {
	// Models are the GORM models whose tables the migrations create, in
	// the order AutoMigrate would take them.
	Models []any
	// Migrations is the embedded migration directory (its *.sql files,
	// atlas.sum and down/); nil: only the directory on disk is used.
	Migrations fs.FS
	// Config is the embedded atlas.hcl, used when the working directory
	// has none (a deploy with the binary alone); nil: none.
	Config []byte
	// ModelSources are the models package's Go files as compiled in, and
	// ModelsDir that package's folder in the module (e.g. "internal/models"):
	// run inside a source tree whose files differ, the binary warns and
	// diff refuses, so it never answers for stale structs. Empty: no check.
	ModelSources fs.FS
	ModelsDir    string
	// GormConfig is the GORM config the models package declares beside
	// its models (its GormConfig()): the naming strategy,
	// DisableForeignKeyConstraintWhenMigrating and
	// IgnoreRelationshipsWhenMigrating shape the desired schema as they
	// shape AutoMigrate's; its logger and the rest are ignored, and it is
	// never changed. nil: GORM's defaults.
	GormConfig *gorm.Config
	// Desired returns the desired schema as SQLite DDL; nil: what GORM's
	// AutoMigrate creates for Models. Set it to declare views and triggers:
	// its statements, run on a private in-memory database, are the whole
	// desired state (tables, indexes, views, triggers), which diff, status,
	// lint and rollback compare. cfg is a new config with the fields of
	// GormConfig that shape the schema. With atlas-provider-gorm, which
	// reads a model's ViewDef and Triggers methods:
	//
	//	Desired: func(cfg *gorm.Config, m []any) (string, error) {
	//		return gormschema.New("sqlite", gormschema.WithConfig(cfg)).Load(m...)
	//	},
	//
	// Without it, AutoMigrateDDL plus CREATE VIEW / CREATE TRIGGER
	// statements. Without a hook the models declare no views or triggers:
	// diff leaves those the migrations made alone.
	Desired func(cfg *gorm.Config, models []any) (string, error)
}

func (p Program) cli() cli.Program {
	return cli.Program{Models: p.Models, Migrations: p.Migrations, Config: p.Config, ModelSources: p.ModelSources, ModelsDir: p.ModelsDir, GormConfig: p.GormConfig,
		Desired: p.Desired}
}

// AutoMigrateDDL returns the statements that create what GORM's
// AutoMigrate creates for models on SQLite with cfg (nil: GORM's
// defaults), as `structmigrate schema` prints them: a Desired hook can
// append CREATE VIEW and CREATE TRIGGER statements to it.
func AutoMigrateDDL(cfg *gorm.Config, models []any) (string, error) {
	return desired.AutoMigrateDDL(context.Background(), cfg, models...)
}

// Run runs the structmigrate command line args (args[0] is the program
// name) and returns its exit code.
func Run(args []string, p Program, stdout, stderr io.Writer) int {
	return cli.Main(args, p.cli(), stdout, stderr)
}

// Main runs the command line of the process and exits with its code.
//
// A reader that goes away (`structmigrate apply | head`) must not kill a
// run midway: Go's default for a write to a closed pipe on stdout or
// stderr is to die of SIGPIPE, which would stop apply between two files
// (or roll back the one it was in). Ignored, the write fails with EPIPE,
// the output is lost, and the run finishes as it would have.
func Main(p Program) {
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(Run(os.Args, p, os.Stdout, os.Stderr))
}
