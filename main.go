// Command structmigrate makes GORM structs the single source of truth for a
// SQLite schema: it generates reviewed migration files in the Atlas format
// and applies them, interchangeably with the official `atlas` CLI.
package main

import (
	"os"

	"github.com/structmigrate/structmigrate/internal/cli"
	"github.com/structmigrate/structmigrate/schema"
)

func main() {
	os.Exit(cli.Main(os.Args, schema.Models(), os.Stdout, os.Stderr))
}
