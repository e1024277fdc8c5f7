package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/loader"
	"github.com/structmigrate/structmigrate/internal/testmodule"
)

// TestAdopt drives the three ways a team's own module uses structmigrate
// (docs/own-project.md) in a separate module: its own go.mod with a replace
// directive to this checkout, its own models package, and the go command
// with no network (GOPROXY=off; the module cache already holds every
// dependency, as go.sum is copied from this checkout).
func TestAdopt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	repo, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	goEnv := map[string]string{}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Fields(string(out)) {
		goEnv[[]string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT"}[i]] = v
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/adopt",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo)
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			for _, kv := range testmodule.Offline {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"sqlq": cmdSQL},
	})
}

// cmdStructmigrate is cmd/structmigrate, the binary with no models.
func cmdStructmigrate() { os.Exit(loader.Main(os.Args, os.Stdin, os.Stdout, os.Stderr)) }
