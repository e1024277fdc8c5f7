package migdir

import (
	"fmt"
	"io/fs"
	"path"

	"ariga.io/atlas/sql/migrate"
)

// embedded is a migration directory read from an fs.FS (the binary's
// embedded copy), held in memory; its down scripts come along.
type embedded struct {
	*migrate.MemDir
	down *migrate.MemDir
}

// FromFS loads the migration directory at the root of fsys (its *.sql files,
// atlas.sum, and down/) into memory. label names it in messages.
func FromFS(fsys fs.FS, label string) (Dir, error) {
	up, err := memDir(fsys, ".", label)
	if err != nil {
		return nil, err
	}
	e := &embedded{MemDir: up}
	if fi, err := fs.Stat(fsys, DownDirName); err == nil && fi.IsDir() {
		if e.down, err = memDir(fsys, DownDirName, path.Join(label, DownDirName)); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func memDir(fsys fs.FS, dir, label string) (*migrate.MemDir, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", label, err)
	}
	m := &migrate.MemDir{}
	m.SetPath(label)
	for _, e := range entries {
		if e.IsDir() || (path.Ext(e.Name()) != ".sql" && e.Name() != SumFile) {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path.Join(label, e.Name()), err)
		}
		if err := m.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return m, nil
}
