package restorepoint

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/structmigrate/structmigrate/internal/diskspace"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
)

// SpaceError refuses a point that would not fit, before anything changed.
type SpaceError struct {
	DB     string // the database
	Folder string // where the point would go
	Need   uint64 // bytes the copy needs, margin included
	Free   uint64 // bytes free there
	Off    string // how to proceed without a point
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("not enough disk space for a restore point of %s: the copy needs about %s, the file system of %s has %s free; nothing was changed (free some space or move the restore points to a larger volume, or use %s to proceed without one)",
		e.DB, diskspace.Size(e.Need), e.Folder, diskspace.Size(e.Free), e.Off)
}

// Need returns the bytes a copy of db takes: its used pages (VACUUM INTO
// writes no free page) plus a margin of 1/16 and 1 MiB.
func Need(ctx context.Context, db *sql.DB) (uint64, error) {
	var used int64
	err := db.QueryRowContext(ctx, "SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()").Scan(&used)
	if err != nil {
		return 0, err
	}
	return uint64(used) + uint64(used)/16 + 1<<20, nil
}

// CheckSpace returns a *SpaceError when need bytes do not fit in folder
// (which need not exist yet: its nearest existing parent is measured).
func CheckSpace(db, folder string, need uint64, off string) error {
	free, err := diskspace.Free(existing(folder))
	if err != nil {
		return fmt.Errorf("restore point: free space of %s: %w", folder, err)
	}
	if need > free {
		return &SpaceError{DB: db, Folder: folder, Need: need, Free: free, Off: off}
	}
	return nil
}

// existing returns path or its nearest existing parent.
func existing(path string) string {
	p := filepath.Clean(path)
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}

// Before takes the point a run needs before its first change to db (the
// migration lock held), prunes the oldest, and logs one line on out. It
// takes none, and says why, for a database in memory or when disabled;
// none, silently, for an empty database (nothing to lose). version is the
// database's last applied version ("" for none).
func (c Config) Before(ctx context.Context, db *sql.DB, version string, out io.Writer) (*Point, error) {
	file, err := mainFile(ctx, db)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Disabled != "":
		fmt.Fprintf(out, "No restore point (%s).\n", c.Disabled)
		return nil, nil
	case file == "":
		fmt.Fprintln(out, "No restore point: the database is in memory.")
		return nil, nil
	}
	var tables int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return nil, err
	}
	if tables == 0 {
		return nil, nil
	}
	named := c.DB
	if named == "" {
		named = file
	}
	start := time.Now()
	p, err := c.Take(ctx, db, named, version)
	if err != nil {
		return nil, err
	}
	// A point that cannot be pruned costs space, not safety: say so, go on.
	pruned, err := Prune(filepath.Dir(p.Path), p.DB, c.keep(), c.MaxBytes, p.Path)
	note := ""
	if len(pruned) > 0 {
		note = fmt.Sprintf("; pruned %d older", len(pruned))
	}
	if err != nil {
		note += fmt.Sprintf("; %v", err)
	}
	fmt.Fprintf(out, "Restore point: %s (version %s, %s, %s%s)\n", p.Path, p.Version, diskspace.Size(uint64(p.Size)), time.Since(start).Round(time.Millisecond), note)
	return p, nil
}

// Take writes a point of db (the file named, as the user named it) into
// c's folder. The caller holds the migration lock: only lock holders write
// points, so a name or temporary file found there is no one else's work
// in progress. The copy is written under a temporary name, synced, and
// renamed, so a crash leaves no partial file under a point's name.
func (c Config) Take(ctx context.Context, db *sql.DB, named, version string) (*Point, error) {
	folder := c.Folder(named)
	need, err := Need(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := CheckSpace(named, folder, need, c.off()); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(folder, 0o700); err != nil { // copies of all the data: owner only
		return nil, fmt.Errorf("restore point: %w", err)
	}
	base := filepath.Base(named)
	removeStale(folder, base)
	if version == "" {
		version = NoVersion
	}
	// A name taken already (by a run in the same second) moves on a
	// second rather than replacing a point; names stay in run order.
	t := time.Now().UTC().Truncate(time.Second)
	final := filepath.Join(folder, name(base, t, version))
	for exists(final) {
		t = t.Add(time.Second)
		final = filepath.Join(folder, name(base, t, version))
	}
	tmp := final + tmpSuffix
	if err := copyInto(ctx, db, tmp); err != nil {
		os.Remove(tmp)
		os.Remove(tmp + "-journal")
		return nil, fmt.Errorf("restore point %s: %w; nothing was changed", final, migdir.ExplainWrite(err))
	}
	if fi, err := os.Stat(named); err == nil {
		os.Chmod(tmp, fi.Mode().Perm()) // as readable as the database, no more
	}
	if err := commit(tmp, final); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("restore point %s: %w; nothing was changed", final, err)
	}
	fi, err := os.Stat(final)
	if err != nil {
		return nil, err
	}
	return &Point{Path: final, DB: base, Version: version, Time: t, Size: fi.Size()}, nil
}

// copyInto writes a consistent copy of db to path with VACUUM INTO. The
// path is bound as a parameter and absolute, so no quote in it matters
// and SQLite never reads it as a "file:" URI.
func copyInto(ctx context.Context, db *sql.DB, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", abs)
	return err
}

// commit syncs tmp, renames it to final and syncs the folder, so the name
// exists only once the content is on disk, and stays after a crash.
func commit(tmp, final string) error {
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	return syncFile(filepath.Dir(final))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// removeStale deletes the temporary files a killed run left for db: the
// partial copy, and the journal SQLite keeps beside it while it writes.
func removeStale(folder, db string) {
	ents, _ := os.ReadDir(folder)
	for _, e := range ents {
		n := e.Name()
		i := strings.LastIndex(n, Suffix+tmpSuffix)
		if i < 0 || !e.Type().IsRegular() {
			continue
		}
		if rest := n[i+len(Suffix+tmpSuffix):]; rest != "" && rest != "-journal" {
			continue
		}
		if p, ok := Parse(n[:i+len(Suffix)]); ok && p.DB == db {
			os.Remove(filepath.Join(folder, n))
		}
	}
}

// Prune removes the oldest points of db (a base name) in folder while more
// than keep remain or they take more than maxBytes (0: no cap), never one
// of protect. It returns what it removed.
func Prune(folder, db string, keep int, maxBytes uint64, protect ...string) ([]Point, error) {
	ps, err := List(folder, db)
	if err != nil {
		return nil, err
	}
	kept := map[string]bool{}
	for _, p := range protect {
		kept[filepath.Clean(p)] = true
	}
	var total uint64
	for _, p := range ps {
		total += uint64(p.Size)
	}
	n := len(ps)
	var removed []Point
	for _, p := range ps { // oldest first
		if n <= keep && (maxBytes == 0 || total <= maxBytes) {
			break
		}
		if kept[filepath.Clean(p.Path)] {
			continue
		}
		if err := os.Remove(p.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("prune restore point: %w", err)
		}
		removed = append(removed, p)
		n--
		total -= uint64(p.Size)
	}
	return removed, nil
}

// Version returns the last applied version of db ("" for none).
func Version(ctx context.Context, db *sql.DB) (string, error) {
	revs, err := revisions.New(db).ReadRevisions(ctx)
	if err != nil || len(revs) == 0 {
		return "", err
	}
	return revs[len(revs)-1].Version, nil
}

// mainFile returns the file of db's main database, "" in memory.
func mainFile(ctx context.Context, db *sql.DB) (string, error) {
	var file string
	err := db.QueryRowContext(ctx, "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
	return file, err
}
