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
	"io"
	"io/fs"
	"os"

	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/cli"
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
}

func (p Program) cli() cli.Program {
	return cli.Program{Models: p.Models, Migrations: p.Migrations, Config: p.Config, ModelSources: p.ModelSources, ModelsDir: p.ModelsDir, GormConfig: p.GormConfig}
}

// Run runs the structmigrate command line args (args[0] is the program
// name) and returns its exit code.
func Run(args []string, p Program, stdout, stderr io.Writer) int {
	return cli.Main(args, p.cli(), stdout, stderr)
}

// Main runs the command line of the process and exits with its code.
func Main(p Program) {
	os.Exit(Run(os.Args, p, os.Stdout, os.Stderr))
}
