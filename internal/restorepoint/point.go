// Package restorepoint keeps restore points: complete copies of a SQLite
// database file, taken (VACUUM INTO, consistent while the app writes)
// before apply or rollback changes it, and put back by `restore`. Down
// scripts undo schema; a restore point also undoes data a migration
// overwrote. Points live in a folder beside the database; their names say
// which database, when and at which version, so listing and pruning read
// names, never modification times.
package restorepoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// DefaultKeep is how many points of a database are kept when the
// configuration does not say: ten runs back, each a full copy.
const DefaultKeep = 10

// Suffix ends every point's name.
const Suffix = ".restore"

// tmpSuffix ends a point being written; a crash leaves at most such a file,
// never a partial one under a point's name.
const tmpSuffix = ".tmp"

// NoVersion is the version field of a point taken before any migration.
const NoVersion = "none"

// timeLayout is the UTC time in a name (ISO 8601 basic): fixed width and
// first, so the names of one database sort by time.
const timeLayout = "20060102T150405Z"

// nameRE parses <database base name>.<time>.<version>.restore.
var nameRE = regexp.MustCompile(`^(.+)\.(\d{8}T\d{6}Z)\.(\d+|` + NoVersion + `)\` + Suffix + `$`)

// DefaultDir is the folder of a database's points: beside it, on the same
// volume (a container's data volume keeps them).
func DefaultDir(db string) string { return db + ".restore-points" }

// Point is one restore point.
type Point struct {
	Path    string    // the file
	DB      string    // base name of the database it copies
	Version string    // last applied version when taken; NoVersion for none
	Time    time.Time // when it was taken, UTC
	Size    int64     // bytes
}

// Name is the point's file name.
func (p Point) Name() string { return filepath.Base(p.Path) }

// name builds the file name of a point.
func name(db string, t time.Time, version string) string {
	if version == "" {
		version = NoVersion
	}
	return fmt.Sprintf("%s.%s.%s%s", db, t.UTC().Format(timeLayout), version, Suffix)
}

// Parse reads a point's file name; ok is false for any other name.
func Parse(fileName string) (p Point, ok bool) {
	m := nameRE.FindStringSubmatch(fileName)
	if m == nil {
		return Point{}, false
	}
	t, err := time.Parse(timeLayout, m[2])
	if err != nil {
		return Point{}, false
	}
	return Point{Path: fileName, DB: m[1], Time: t, Version: m[3]}, true
}

// List returns the points of the database named db (a base name) in
// folder, oldest first. A missing folder holds none.
func List(folder, db string) ([]Point, error) {
	ents, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restore points: %w", err)
	}
	var ps []Point
	for _, e := range ents {
		p, ok := Parse(e.Name())
		if !ok || p.DB != db || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		p.Path, p.Size = filepath.Join(folder, e.Name()), fi.Size()
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].Time.Equal(ps[j].Time) {
			return ps[i].Time.Before(ps[j].Time)
		}
		return ps[i].Path < ps[j].Path
	})
	return ps, nil
}
