// Command structmigrate is the tool with no models compiled in, for a
// team's own module:
//
//	go run github.com/structmigrate/structmigrate/cmd/structmigrate@VERSION --models ./internal/models diff add_x
//
// With --models it compiles a throwaway program that imports that package
// (its exported GORM models, or its Models function) and runs the command
// there, so it always answers for the current structs. Without it, it runs
// init and the commands that need no structs (apply, status, rollback,
// lint without the structs check).
package main

import (
	"os"

	"github.com/structmigrate/structmigrate/internal/loader"
)

func main() {
	os.Exit(loader.Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
