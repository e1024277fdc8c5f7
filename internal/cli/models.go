package cli

import (
	"errors"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// modelsFlag names the models package for cmd/structmigrate, which has
// none compiled in: the loader (internal/loader) builds a program that
// imports it and runs the command there. A binary built with its models
// (the template's main.go, a team's cmd/migrate) refuses it.
var modelsFlag = &cli.StringFlag{
	Name:  "models",
	Usage: "the models package `DIR` (e.g. ./internal/models): cmd/structmigrate builds a program that imports it and runs the command there; init writes cmd/migrate for it",
}

// ErrNoModels refuses a command that needs the structs in a binary that
// has none compiled in.
var ErrNoModels = errors.New("this binary has no models compiled in: pass the models package, e.g. --models ./internal/models")

// ErrModelsEmpty refuses --models given an empty folder name.
var ErrModelsEmpty = errors.New("--models: empty; name the models package folder, e.g. --models ./internal/models")

// ErrModelsCompiledIn refuses --models in a binary that has its own.
var ErrModelsCompiledIn = errors.New("--models: this binary has its models compiled in; --models is for cmd/structmigrate (go run github.com/structmigrate/structmigrate/cmd/structmigrate)")

// inProcess are the commands that never load the models: the loader runs
// them in the binary itself (init reads --models as the package to scaffold).
var inProcess = []string{"", "help", "init", "version", "completion"}

// LoaderArgs finds --models wherever the command line has it (flags may
// come before or after the command, see reorder) and returns its value
// when the command must run against that package, with args without it.
// dir is "" when the command runs in this binary as it is.
func LoaderArgs(args []string) (dir string, rest []string) {
	app := New(Program{})
	ordered := reorder(app, args)
	var cmd string
	for i := 1; i < len(ordered); i++ {
		a := ordered[i]
		if !isFlag(a) {
			if app.Command(a) != nil {
				cmd = a
			}
			break
		}
		if name, inline := flagName(a); !inline && flagTable(app.Flags)[name] {
			i++ // its value
		}
	}
	if slices.Contains(inProcess, cmd) {
		return "", args
	}
	rest = []string{ordered[0]}
	for i := 1; i < len(ordered); i++ {
		a := ordered[i]
		if a == "--" || (!isFlag(a) && app.Command(a) != nil) {
			rest = append(rest, ordered[i:]...)
			break
		}
		name, inline := flagName(a)
		if name == modelsFlag.Name {
			if !inline && i+1 < len(ordered) {
				i++
				dir = ordered[i]
			} else if inline {
				_, dir, _ = strings.Cut(a, "=")
			}
			continue
		}
		rest = append(rest, a)
	}
	return dir, rest
}
