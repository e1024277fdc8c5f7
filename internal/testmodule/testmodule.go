// Package testmodule makes Go modules for tests: a separate module that
// requires this checkout through a replace directive, with this checkout's
// go.sum, so the go command builds it with no network (every dependency is
// already in the module cache).
package testmodule

import (
	"os"
	"path/filepath"
	"testing"
)

// Self is this checkout's module path.
const Self = "github.com/structmigrate/structmigrate"

// Offline is the go command's environment for such a module: no proxy, no
// checksum database, no workspace, no toolchain download, pure Go.
var Offline = []string{"GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local", "CGO_ENABLED=0"}

// Checkout returns the root of this checkout: the nearest folder above the
// test's package that holds go.mod.
func Checkout(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testmodule: no go.mod above the test's package")
		}
		dir = parent
	}
}

// Write creates the module path in a new temporary folder: a go.mod that
// requires this checkout (replace), its go.sum, and files (slash-separated
// names relative to the module root). It returns the folder.
func Write(t testing.TB, path string, files map[string]string) string {
	t.Helper()
	checkout := Checkout(t)
	sum, err := os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	all := map[string]string{
		"go.mod": "module " + path + "\n\ngo 1.26.0\n\nrequire " + Self + " v0.0.0\n\nreplace " + Self + " => " + checkout + "\n",
		"go.sum": string(sum),
	}
	for name, data := range files {
		all[name] = data
	}
	for name, data := range all {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
