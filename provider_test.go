package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/testmodule"
)

// TestProvider runs models written for atlas-provider-gorm (views and
// triggers declared with its gormschema package) through the loader and
// the init-generated main, unchanged (testdata/provider). The provider pulls
// heavy dependencies (database drivers, Spanner) that this module does not
// need, so its module must come from the Go module proxy: `make
// test-provider` (run by .ci/run) sets STRUCTMIGRATE_TEST_PROVIDER=1 and
// keeps the environment's GOPROXY.
func TestProvider(t *testing.T) {
	if os.Getenv("STRUCTMIGRATE_TEST_PROVIDER") != "1" {
		t.Skip("atlas-provider-gorm models: run make test-provider (downloads ariga.io/atlas-provider-gorm v0.6.0 and its dependencies)")
	}
	repo := testmodule.Checkout(t)
	env := map[string]string{}
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Fields(string(out)) {
		env[[]string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOROOT", "GOPROXY"}[i]] = v
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/provider",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", repo)
			for _, kv := range testmodule.Offline {
				k, v, _ := strings.Cut(kv, "=")
				e.Setenv(k, v)
			}
			for k, v := range env { // the proxy too: the provider is fetched
				e.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"sqlq": cmdSQL},
	})
}
