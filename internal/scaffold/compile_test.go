package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/testmodule"
)

// TestGeneratedModuleBuilds writes init's files into a separate module that
// requires this checkout (a replace directive, this go.sum, no network) and
// builds cmd/migrate: the generated main.go compiles against the public API,
// and its schema command prints the models' tables. Both forms of main.go:
// discovered types and a Models() function.
func TestGeneratedModuleBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module")
	}
	models := map[string]string{
		"types": `package models

import "gorm.io/gorm"

type Author struct {
	gorm.Model
	Books []Book
}

type Book struct {
	ID       uint
	AuthorID uint ` + "`gorm:\"index\"`" + `
}
`,
		"func": `package models

type Author struct{ ID uint; Books []Book }

type Book struct{ ID uint; AuthorID uint }

func Models() []any { return []any{&Author{}, &Book{}} }
`,
	}
	for name, src := range models {
		t.Run(name, func(t *testing.T) {
			root := testmodule.Write(t, "example.com/lib", map[string]string{"internal/models/model.go": src})
			if _, err := Init(Options{Root: root, Models: "./internal/models"}); err != nil {
				t.Fatal(err)
			}
			bin := filepath.Join(t.TempDir(), "migrate")
			run(t, root, "go", "build", "-o", bin, "./cmd/migrate")
			out := run(t, root, bin, "schema")
			for _, table := range []string{"CREATE TABLE `authors`", "CREATE TABLE `books`"} {
				if !strings.Contains(out, table) {
					t.Errorf("schema: no %s in\n%s", table, out)
				}
			}
		})
	}
}

func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), testmodule.Offline...), "STORAGE_PATH=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
