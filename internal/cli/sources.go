package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// StaleModelsError refuses a command that would answer for the structs
// compiled in when the source tree holds other ones.
type StaleModelsError struct {
	Command string
	Reason  string
}

func (e *StaleModelsError) Error() string {
	return e.Command + " refused: " + e.Reason
}

// staleModels says why the models compiled into the binary are not the
// ones in the working directory's source tree, "" when they are (or when
// the working directory is not this module's root, e.g. a deploy). A built
// binary otherwise keeps answering for the structs it was built with: after
// `make build` and a struct edit, `bin/structmigrate diff` would see no
// change. Only the working directory is looked at, as for atlas.hcl and
// migrations/.
func staleModels(p Program) string {
	if p.ModelSources == nil || p.ModelsDir == "" {
		return ""
	}
	mod, err := os.ReadFile("go.mod")
	if mp := modfile.ModulePath(mod); err != nil || mp == "" || mp != mainModule() {
		return "" // not this module's source tree
	}
	diskDir := filepath.FromSlash(p.ModelsDir)
	if fi, err := os.Stat(diskDir); err != nil || !fi.IsDir() {
		return ""
	}
	built, err := goFiles(p.ModelSources, ".")
	if err != nil {
		return ""
	}
	disk, err := goFiles(os.DirFS(diskDir), ".")
	if err != nil {
		return fmt.Sprintf("cannot read %s/ to compare it with the models compiled in: %v", p.ModelsDir, err)
	}
	var changed []string
	for name, src := range disk {
		switch b, ok := built[name]; {
		case !ok:
			changed = append(changed, name+" added")
		case !bytes.Equal(b, src):
			changed = append(changed, name+" changed")
		}
	}
	for name := range built {
		if _, ok := disk[name]; !ok {
			changed = append(changed, name+" removed")
		}
	}
	if len(changed) == 0 {
		return ""
	}
	slices.Sort(changed)
	return fmt.Sprintf("%s/ differs from the structs this binary was built from (%s); rebuild it (make build) or use go run .",
		p.ModelsDir, strings.Join(changed, ", "))
}

// goFiles reads the non-test Go files at the root of fsys.
func goFiles(fsys fs.FS, dir string) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	return files, nil
}

// mainModule is the module the binary was built from.
func mainModule() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Path
	}
	return ""
}
