// Package scaffold writes what `structmigrate init` adds to an existing Go
// module: atlas.hcl, migrations/embed.go, cmd/migrate/main.go, the Makefile
// targets, the CI workflow and the local database folder's .gitignore. It
// checks everything before it writes anything, and overwrites nothing
// without Force (the Makefile never: its targets are returned to print).
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"

	"golang.org/x/mod/modfile"

	"github.com/structmigrate/structmigrate/internal/modelsrc"
)

// DefaultDB is the local database file when none is given.
const DefaultDB = "./storage/app.db"

// The files init writes, relative to the module root.
const (
	ConfigFile   = "atlas.hcl"
	EmbedFile    = "migrations/embed.go"
	MainFile     = "cmd/migrate/main.go"
	MakefileFile = "Makefile"
	WorkflowFile = ".github/workflows/migrations.yml"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// [[ ]] delimiters: the workflow holds GitHub's own ${{ }}.
var templates = template.Must(template.New("").Delims("[[", "]]").ParseFS(templateFS, "templates/*.tmpl"))

// Options are init's inputs.
type Options struct {
	Root   string // the module root (holds go.mod): the working directory
	Models string // the models package folder, relative to Root or absolute
	DB     string // the local database file; "" is DefaultDB
	Force  bool   // overwrite existing files (never the Makefile)
}

// Result is what Init did.
type Result struct {
	Written   []string       // slash paths relative to Root, in the order written
	Targets   []byte         // the Makefile targets to paste: a Makefile exists (else nil)
	Models    modelsrc.Found // what the models package declares
	ModelsDir string         // its folder, slash, relative to Root ("internal/models")
	DB        string         // the local database as written into atlas.hcl ("./storage/app.db")
	DBExists  bool           // that file exists already: adopt it with baseline
	// Ignore is the .gitignore pattern to add for a database inside the
	// module when init wrote no .gitignore for it (its folder existed, or
	// is the root); "" otherwise.
	Ignore string
}

// Error is an input init refuses, with the reason on one line.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// ExistsError lists the files init would overwrite without Force.
type ExistsError struct{ Paths []string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("init would overwrite %s; nothing written (--force overwrites them)", strings.Join(e.Paths, ", "))
}

func refuse(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// file is one file to write.
type file struct {
	rel  string // slash path relative to Root
	data []byte
}

// Init checks the module, the models package and every target, then writes
// the files: all of them, or none when any check fails.
func Init(o Options) (*Result, error) {
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	o.Root = root
	module, err := modulePath(o.Root)
	if err != nil {
		return nil, err
	}
	modelsAbs, modelsRel, err := modelsDir(o.Root, o.Models)
	if err != nil {
		return nil, err
	}
	found, err := modelsrc.Discover(modelsAbs)
	if err != nil {
		return nil, &Error{Msg: "--models " + err.Error()}
	}
	if !found.HasModelsFunc && len(found.Types) == 0 {
		return nil, refuse("--models %s: no GORM model found (none embeds gorm.Model or has a field with a gorm: tag): declare func Models() []any there, listing them", o.Models)
	}
	res := &Result{Models: found, ModelsDir: modelsRel}
	dbAbs, err := res.localDB(o.Root, o.DB)
	if err != nil {
		return nil, err
	}

	data := templateData(module, modelsRel, found, res.DB)
	var files []file
	add := func(rel, tmpl string) error {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, tmpl, data); err != nil {
			return err
		}
		files = append(files, file{rel: rel, data: b.Bytes()})
		return nil
	}
	for _, f := range []struct{ rel, tmpl string }{
		{ConfigFile, "atlas.hcl.tmpl"},
		{EmbedFile, "embed.go.tmpl"},
		{MainFile, "main.go.tmpl"},
		{WorkflowFile, "migrations.yml.tmpl"},
	} {
		if err := add(f.rel, f.tmpl); err != nil {
			return nil, err
		}
	}
	if err := formatGo(files); err != nil {
		return nil, err
	}
	makefile, err := exists(o.Root, MakefileFile)
	if err != nil {
		return nil, err
	}
	if makefile {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, "targets.mk.tmpl", data); err != nil {
			return nil, err
		}
		res.Targets = b.Bytes()
	} else if err := add(MakefileFile, "Makefile.tmpl"); err != nil {
		return nil, err
	}
	// The database's folder gets a .gitignore only when init creates it
	// (apply creates the folder otherwise): an existing folder is the
	// team's, and its ignore rules too.
	ignoreDir, ok := ownFolder(o.Root, filepath.Dir(dbAbs))
	if ok {
		if err := add(path.Join(ignoreDir, ".gitignore"), "gitignore.tmpl"); err != nil {
			return nil, err
		}
	} else if !strings.HasPrefix(res.DB, "../") && !path.IsAbs(res.DB) {
		res.Ignore = strings.TrimPrefix(res.DB, "./") + "*"
	}

	if err := check(o.Root, files, o.Force); err != nil {
		return nil, err
	}
	if err := write(o.Root, files); err != nil {
		return nil, err
	}
	for _, f := range files {
		res.Written = append(res.Written, f.rel)
	}
	return res, nil
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	src, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if errors.Is(err, fs.ErrNotExist) {
		return "", refuse("no go.mod here: run init in the root folder of a Go module (go mod init MODULE makes one)")
	}
	if err != nil {
		return "", err
	}
	p := modfile.ModulePath(src)
	if p == "" {
		return "", refuse("go.mod: no module line")
	}
	return p, nil
}

// modelsDir resolves --models to a folder inside the module that
// cmd/migrate can import: its absolute path and its slash path relative
// to root.
func modelsDir(root, dir string) (string, string, error) {
	if dir == "" {
		return "", "", refuse("init needs --models DIR, the folder of the models package (e.g. --models ./internal/models)")
	}
	abs := dir
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, dir)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", "", refuse("--models %s: no such folder", dir)
	case err != nil:
		return "", "", err
	case !fi.IsDir():
		return "", "", refuse("--models %s: not a folder", dir)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", "", err
	}
	realDir, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(realRoot, realDir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", "", refuse("--models %s: outside the module (the folder holding go.mod)", dir)
	}
	rel = filepath.ToSlash(rel)
	// A go.mod between the folder and the root makes it another module.
	for d := rel; d != "."; d = path.Dir(d) {
		if _, err := os.Stat(filepath.Join(realRoot, filepath.FromSlash(d), "go.mod")); err == nil {
			return "", "", refuse("--models %s: in another module (%s/go.mod)", dir, d)
		}
	}
	for _, own := range []string{"migrations", "cmd/migrate"} {
		if rel == own {
			return "", "", refuse("--models %s: init writes %s itself; the models need a package of their own", dir, own)
		}
	}
	// Go's internal rule: a/internal/models is importable only under a/.
	elems := strings.Split(rel, "/")
	for i, e := range elems {
		parent := strings.Join(elems[:i], "/")
		if e == "internal" && i > 0 && parent != "cmd" && parent != "cmd/migrate" {
			return "", "", refuse("--models %s: cmd/migrate cannot import it (Go's internal rule: only code under %s/ may)", dir, parent)
		}
	}
	return realDir, rel, nil
}

// localDB checks the --db value and sets r.DB and r.DBExists; it returns
// the file's absolute path.
func (r *Result) localDB(root, db string) (string, error) {
	if db == "" {
		db = DefaultDB
	}
	// It is written into atlas.hcl's url (sqlite://PATH), where a quote,
	// "${", "?" or "#" would change its meaning.
	for _, c := range db {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-/", c)) {
			return "", refuse("--db %q: use letters, digits, '.', '_', '-' and '/' (the path is written into atlas.hcl's url)", db)
		}
	}
	clean := path.Clean(db)
	if clean == "." || clean == "/" || strings.HasSuffix(db, "/") {
		return "", refuse("--db %q: name a database file", db)
	}
	if !path.IsAbs(clean) && !strings.HasPrefix(clean, "../") {
		clean = "./" + clean
	}
	abs := filepath.FromSlash(clean)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, abs)
	}
	fi, err := os.Stat(abs)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return "", refuse("--db %s: not a file", db)
	case err == nil:
		r.DBExists = true
	case !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	r.DB = clean
	return abs, nil
}

// ownFolder: dir is inside root (not root itself) and does not exist yet,
// so init creates it; it returns dir's slash path relative to root.
func ownFolder(root, dir string) (string, bool) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// templateData is what the templates use.
func templateData(module, modelsRel string, found modelsrc.Found, db string) map[string]any {
	importPath := module
	if modelsRel != "." {
		importPath += "/" + modelsRel
	}
	// The name main.go calls the package by: its own, unless it collides
	// with the other imports.
	name := found.Package
	if name == "migrator" || name == "migrations" {
		name = "models"
	}
	imp := fmt.Sprintf("%q", importPath)
	if name != path.Base(importPath) {
		imp = name + " " + imp
	}
	return map[string]any{
		"Module":       module,
		"ModelsDir":    modelsRel,
		"ModelsImport": imp,
		"ModelsName":   name,
		"ModelsFunc":   found.HasModelsFunc,
		"GormConfig":   found.HasGormConfig,
		"Provider":     found.UsesProvider,
		"Types":        found.Types,
		"DB":           db,
		"DBBase":       path.Base(db),
	}
}

// formatGo gofmts the Go files (and catches a template that breaks them).
func formatGo(files []file) error {
	for i, f := range files {
		if !strings.HasSuffix(f.rel, ".go") {
			continue
		}
		src, err := format.Source(f.data)
		if err != nil {
			return fmt.Errorf("generated %s does not parse: %w", f.rel, err)
		}
		files[i].data = src
	}
	return nil
}

// exists: rel is present (a regular file); anything else there is refused.
func exists(root, rel string) (bool, error) {
	fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !fi.Mode().IsRegular():
		return false, refuse("%s exists and is not a regular file; nothing written", rel)
	}
	return true, nil
}

// check refuses before anything is written: a target that exists (without
// force), a folder on the way that is a file, another Go file in a package
// init writes (it would not compile with ours).
func check(root string, files []file, force bool) error {
	var existing []string
	for _, f := range files {
		for d := path.Dir(f.rel); d != "."; d = path.Dir(d) {
			if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(d))); err == nil && !fi.IsDir() {
				return refuse("%s is a file, not a folder; nothing written", d)
			}
		}
		ok, err := exists(root, f.rel)
		if err != nil {
			return err
		}
		if ok {
			existing = append(existing, f.rel)
		}
		if strings.HasSuffix(f.rel, ".go") {
			if err := aloneInPackage(root, f.rel); err != nil {
				return err
			}
		}
	}
	if len(existing) > 0 && !force {
		return &ExistsError{Paths: existing}
	}
	return nil
}

// aloneInPackage refuses a folder that holds Go files besides rel's.
func aloneInPackage(root, rel string) error {
	dir := path.Dir(rel)
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") && e.Name() != path.Base(rel) {
			return refuse("%s/ already holds %s: init writes %s as the package's only file; nothing written", dir, e.Name(), rel)
		}
	}
	return nil
}

// write writes the files; on a failure it removes the ones it created, so
// the module is left as it was (an overwritten file keeps its new content).
func write(root string, files []file) error {
	var created []string
	undo := func() {
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.rel))
		if err := mkdirs(root, filepath.Dir(p), &created); err != nil {
			undo()
			return err
		}
		_, statErr := os.Lstat(p)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			undo()
			return err
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			created = append(created, p)
		}
	}
	return nil
}

// mkdirs creates dir and its missing parents below root, recording each
// folder it creates so undo removes it too.
func mkdirs(root, dir string, created *[]string) error {
	if dir == root {
		return nil
	}
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := mkdirs(root, filepath.Dir(dir), created); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	*created = append(*created, dir)
	return nil
}
