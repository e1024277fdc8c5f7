package status

import (
	"fmt"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// MissingFileError reports an applied version whose file is not in the
// directory: it is not the directory this database was migrated with.
// status, apply and rollback all refuse it with this error.
type MissingFileError struct {
	Version, Desc string
	Dir           string
}

func (e *MissingFileError) Error() string {
	return fmt.Sprintf("applied version %s (%s) has no file in %s: this is not the directory the database was migrated with (restore the file, or use the directory that has it; after a merge that regenerated it, see `structmigrate set`)",
		e.Version, e.Desc, e.Dir)
}

// HashChangedError reports an applied file edited (and re-hashed) after it
// was applied: atlas.sum's hash for it is not the one recorded then. The
// database holds what the file said then; the directory says something else.
type HashChangedError struct {
	Path     string // the file
	Version  string
	Recorded string // hash recorded when it was applied
	Now      string // hash the directory gives it now
}

func (e *HashChangedError) Error() string {
	return fmt.Sprintf("%s was edited after it was applied: version %s was applied with hash %s, the directory now gives it %s "+
		"(restore the file as it was applied, and write the change as a new migration)", e.Path, e.Version, e.Recorded, e.Now)
}

// CheckHistory compares the applied revisions with the directory (which
// must validate): every applied version must have its file, and the file
// must hash as it did when applied.
//
// Atlas records for each file its atlas.sum hash, which is cumulative (it
// covers the names and contents of every file up to it), so the hashes are
// recomputed over the files the database saw: all, minus those added out of
// order since (Atlas's rule: a version between the first and the last
// revision without a revision). The first revision that differs names the
// edited file.
func CheckHistory(dir migdir.Dir, revs []*migrate.Revision) error {
	if len(revs) == 0 {
		return nil
	}
	files, err := dir.Files()
	if err != nil {
		return err
	}
	byVersion := make(map[string]migrate.File, len(files))
	for _, f := range files {
		byVersion[f.Version()] = f
	}
	applied := make(map[string]bool, len(revs))
	for _, r := range revs {
		applied[r.Version] = true
		if _, ok := byVersion[r.Version]; !ok {
			return &MissingFileError{Version: r.Version, Desc: r.Description, Dir: dir.Path()}
		}
	}
	first, last := revs[0].Version, revs[len(revs)-1].Version
	seen := make([]migrate.File, 0, len(files))
	for _, f := range files {
		if v := f.Version(); !applied[v] && v >= first && v <= last {
			continue // added out of order: not there when the database was migrated
		}
		seen = append(seen, f)
	}
	sums, err := migrate.NewHashFile(seen)
	if err != nil {
		return err
	}
	for _, r := range revs {
		if r.Hash == "" { // a baseline records no hash
			continue
		}
		f := byVersion[r.Version]
		now, err := sums.SumByName(f.Name())
		if err != nil { // an atlas:sum ignore file has no hash
			continue
		}
		if now != r.Hash {
			return &HashChangedError{Path: filepath.Join(dir.Path(), f.Name()), Version: r.Version, Recorded: r.Hash, Now: now}
		}
	}
	return nil
}
