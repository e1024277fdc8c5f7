package migdir

import (
	"fmt"
	"os"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"
)

// DownDirName is the subfolder holding reviewed down scripts. The Atlas CLI
// ignores subfolders, so it never sees them.
const DownDirName = "down"

// Down is the down-script directory of an up directory. Each down script has
// the file name of the up file it reverts, and down/atlas.sum guards them
// with the same algorithm as atlas.sum.
type Down struct {
	Dir
	byName map[string]migrate.File
}

// OpenDown opens dir's down folder. A missing folder means no down scripts
// unless create is set (diff, new), which makes it.
func OpenDown(up Dir, create bool) (*Down, error) {
	if e, ok := up.(*embedded); ok {
		if e.down == nil {
			return &Down{byName: map[string]migrate.File{}}, nil
		}
		return &Down{Dir: e.down}, nil
	}
	path := filepath.Join(up.Path(), DownDirName)
	if _, err := os.Stat(path); os.IsNotExist(err) && !create {
		return &Down{byName: map[string]migrate.File{}}, nil
	}
	ld, err := Open(path, create)
	if err != nil {
		return nil, err
	}
	return &Down{Dir: ld}, nil
}

// OpenValid opens up's down folder, if any, and checks it (Validate):
// what every reader of down scripts does before it trusts one.
func OpenValid(up Dir) (*Down, error) {
	d, err := OpenDown(up, false)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(up); err != nil {
		return nil, err
	}
	return d, nil
}

// Exists reports whether the down folder is present.
func (d *Down) Exists() bool { return d.Dir != nil }

// Validate checks down/atlas.sum, and that every down script reverts an
// up file of up.
func (d *Down) Validate(up Dir) error {
	if !d.Exists() {
		return nil
	}
	if err := Validate(d.Dir); err != nil {
		return err
	}
	files, err := d.Files()
	if err != nil {
		return err
	}
	ups, err := up.Files()
	if err != nil {
		return err
	}
	names := make(map[string]bool, len(ups))
	for _, f := range ups {
		names[f.Name()] = true
	}
	d.byName = make(map[string]migrate.File, len(files))
	for _, f := range files {
		if !names[f.Name()] {
			return fmt.Errorf("%s: down script has no up file %s", filepath.Join(d.Path(), f.Name()), filepath.Join(up.Path(), f.Name()))
		}
		d.byName[f.Name()] = f
	}
	return nil
}

// Script returns the down script of the up file named name, if any.
// Validate must have been called.
func (d *Down) Script(name string) (migrate.File, bool) {
	f, ok := d.byName[name]
	return f, ok
}
