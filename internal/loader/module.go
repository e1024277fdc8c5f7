package loader

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	gomodule "golang.org/x/mod/module"
)

// Self is this tool's module: the throwaway program imports its migrator.
const Self = "github.com/structmigrate/structmigrate"

// module is the Go module that holds the models package.
type module struct {
	Root     string        // its folder (absolute)
	File     *modfile.File // its go.mod
	Requires bool          // go.mod requires Self (or is Self)
}

// findModule returns the module whose go.mod is nearest above dir.
func findModule(dir string) (*module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; d = filepath.Dir(d) {
		gomod := filepath.Join(d, "go.mod")
		data, err := os.ReadFile(gomod)
		if err == nil {
			f, err := modfile.ParseLax(gomod, data, nil)
			if err != nil {
				return nil, err // names go.mod:line
			}
			if f.Module == nil {
				return nil, fmt.Errorf("%s: no module line", gomod)
			}
			m := &module{Root: d, File: f, Requires: f.Module.Mod.Path == Self}
			for _, r := range f.Require {
				if r.Mod.Path == Self {
					m.Requires = true
				}
			}
			return m, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("%s is not inside a Go module (no go.mod above it)", dir)
		}
	}
}

// importPath returns the import path of the package in dir (absolute, in m).
func (m *module) importPath(dir string) (string, error) {
	rel, err := filepath.Rel(m.Root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the module at %s", dir, m.Root)
	}
	p := m.File.Module.Mod.Path
	if rel != "." {
		p = path.Join(p, filepath.ToSlash(rel))
	}
	// A folder name Go cannot import (a space, say): go build would blame
	// the throwaway program's own import path.
	if err := gomodule.CheckImportPath(p); err != nil {
		return "", fmt.Errorf("Go cannot import it: %v", err)
	}
	return p, nil
}
