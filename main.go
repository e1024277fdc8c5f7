// Command structmigrate makes GORM structs the single source of truth for a
// SQLite schema: it generates reviewed migration files in the Atlas format
// and applies them, interchangeably with the official `atlas` CLI.
package main

import (
	_ "embed"

	"github.com/structmigrate/structmigrate/migrations"
	"github.com/structmigrate/structmigrate/migrator"
	"github.com/structmigrate/structmigrate/schema"
)

// defaultConfig is atlas.hcl as built, used when the working directory has
// none (a deploy with the binary alone).
//
//go:embed atlas.hcl
var defaultConfig []byte

// program is the binary: the app's models, its migrations and atlas.hcl.
func program() migrator.Program {
	return migrator.Program{
		Models: schema.Models(), Migrations: migrations.FS, Config: defaultConfig,
		ModelSources: schema.Sources, ModelsDir: "schema",
		GormConfig: schema.GormConfig(),
	}
}

func main() {
	migrator.Main(program())
}
