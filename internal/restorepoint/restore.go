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
	"syscall"
	"time"

	"github.com/structmigrate/structmigrate/internal/dblock"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// BadPointError is a point that cannot be restored: missing, not a SQLite
// database, or failing its integrity check.
type BadPointError struct {
	Path   string
	Reason string
}

func (e *BadPointError) Error() string {
	return fmt.Sprintf("restore point %s %s; nothing was changed", e.Path, e.Reason)
}

// InUseError refuses to replace a database other processes have open: they
// would go on with the old file (their open handle), and what they write
// after the restore would be lost.
type InUseError struct {
	DB      string
	Holders []dblock.Proc
	Reason  string
}

func (e *InUseError) Error() string {
	who := ""
	for i, p := range e.Holders {
		if i > 0 {
			who += ", "
		}
		who += p.String()
	}
	if who != "" {
		who = " (open in " + who + ")"
	}
	return fmt.Sprintf("database %s is in use%s: %s; nothing was changed (stop the app, then restore)", e.DB, who, e.Reason)
}

// Check verifies that the file at path is a SQLite database that passes
// PRAGMA integrity_check, reading its bytes as they are (no journal or WAL
// beside it), and returns its last applied version ("" for none).
func Check(ctx context.Context, path string) (string, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", &BadPointError{Path: path, Reason: "does not exist"}
	case err != nil:
		return "", &BadPointError{Path: path, Reason: "cannot be read: " + err.Error()}
	case !fi.Mode().IsRegular():
		return "", &BadPointError{Path: path, Reason: "is not a file"}
	case fi.Size() == 0:
		return "", &BadPointError{Path: path, Reason: "is empty"}
	}
	db, err := sqlitedb.OpenImmutable(path)
	if err != nil {
		return "", &BadPointError{Path: path, Reason: "is not a readable SQLite database: " + migdir.OneLine(err.Error(), 300)}
	}
	defer db.Close()
	var first string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check(1)").Scan(&first); err != nil {
		return "", &BadPointError{Path: path, Reason: "is not a readable SQLite database: " + migdir.OneLine(err.Error(), 300)}
	}
	if first != "ok" {
		return "", &BadPointError{Path: path, Reason: "fails PRAGMA integrity_check: " + migdir.OneLine(first, 300)}
	}
	v, err := Version(ctx, db)
	if err != nil {
		return "", &BadPointError{Path: path, Reason: "has an unreadable revisions table: " + migdir.OneLine(err.Error(), 300)}
	}
	return v, nil
}

// RestoreOptions configure Restore.
type RestoreOptions struct {
	DB     string // the live database file, as the user named it
	Point  string // the point to put back
	Config Config // where the point of the replaced database goes; pruning
	// Wait bounds the wait for the migration lock and for a writer
	// (0: dblock.DefaultWait).
	Wait time.Duration
	Out  io.Writer // the lock's waiting notice; nil for none
}

// RestoreResult tells what Restore did.
type RestoreResult struct {
	Version  string // the restored database's last applied version ("" none)
	Replaced *Point // the point of the database it replaced
	Pruned   []Point
}

// Restore puts the point back as the database: it holds the migration
// lock, refuses while another process has the database open or writes it,
// keeps the current database as a point of its own, copies the point
// beside the database (synced, checked), and renames it over the database
// (the folder synced). No journal or WAL of the old file survives beside
// the new one, where SQLite would replay it onto it.
func Restore(ctx context.Context, o RestoreOptions) (*RestoreResult, error) {
	live, err := filepath.EvalSymlinks(o.DB) // replace the file, not a link to it
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("database %s does not exist; nothing was changed (a restore point is a complete SQLite database: to start from one, copy it there)", o.DB)
	}
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(live)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("database %s is not a file; nothing was changed", o.DB)
	}
	if pi, err := os.Stat(o.Point); err == nil && os.SameFile(fi, pi) {
		return nil, &BadPointError{Path: o.Point, Reason: "is the database itself"}
	}
	if _, err := Check(ctx, o.Point); err != nil {
		return nil, err
	}
	db, err := sqlitedb.OpenFile(live, false)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", o.DB, err)
	}
	defer db.Close()
	unlock, err := dblock.Take(ctx, db, dblock.Options{Wait: o.Wait, Out: o.Out})
	if err != nil {
		return nil, err
	}
	defer unlock()
	if hs := dblock.Holders(live); len(hs) > 0 {
		return nil, &InUseError{DB: o.DB, Holders: hs, Reason: "a process with the old file open would keep using it"}
	}
	// A writer (BEGIN IMMEDIATE taken elsewhere) is waited for up to the
	// busy timeout dblock set, then refused.
	if err := probeWrite(ctx, db); err != nil {
		return nil, dblock.Explain(err, o.DB, o.Wait)
	}
	if err := leaveWAL(ctx, db, o.DB); err != nil {
		return nil, err
	}
	var before int64
	if err := db.QueryRowContext(ctx, "PRAGMA data_version").Scan(&before); err != nil {
		return nil, err
	}
	version, err := Version(ctx, db)
	if err != nil {
		return nil, err
	}
	if err := o.checkSpace(ctx, db, live); err != nil {
		return nil, err
	}
	replaced, err := o.Config.Take(ctx, db, o.DB, version)
	if err != nil {
		return nil, err
	}
	res := &RestoreResult{Replaced: replaced}
	tmp := filepath.Join(filepath.Dir(live), "."+filepath.Base(live)+".restoring")
	if err := copyFile(o.Point, tmp, fi); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("copy %s beside the database: %w; the database was not replaced", o.Point, err)
	}
	defer os.Remove(tmp) // gone once renamed; left only by a failure
	if res.Version, err = Check(ctx, tmp); err != nil {
		return res, fmt.Errorf("the copy of the point: %w", err)
	}
	if err := o.swap(ctx, db, tmp, live, before); err != nil {
		return res, err
	}
	db.Close() // the old file's handle, locks and all
	if _, err := Check(ctx, live); err != nil {
		return res, fmt.Errorf("the database after the restore: %w (the replaced database is %s)", err, replaced.Path)
	}
	res.Pruned, _ = Prune(filepath.Dir(replaced.Path), replaced.DB, o.Config.keep(), o.Config.MaxBytes, replaced.Path, o.Point)
	return res, nil
}

// leaveWAL switches a database in WAL mode to a rollback journal, which
// checkpoints and deletes its WAL: none is left beside the file to be
// replayed onto the restored one. SQLite allows the switch only when no
// other connection has the database open, so it also proves none has (the
// processes /proc does not show, e.g. in another container). The data is
// unchanged; an app that wants WAL sets it when it opens the database.
func leaveWAL(ctx context.Context, db *sql.DB, named string) error {
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		return err
	}
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return &InUseError{DB: named, Reason: "another connection has it open in WAL mode (" + migdir.OneLine(err.Error(), 200) + ")"}
	}
	if mode == "wal" {
		return &InUseError{DB: named, Reason: "another connection keeps it in WAL mode"}
	}
	return nil
}

// probeWrite takes and releases the write lock.
func probeWrite(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, "ROLLBACK")
	return err
}

// checkSpace refuses, before anything is written, when the point of the
// current database and the copy of the one restored do not fit.
func (o RestoreOptions) checkSpace(ctx context.Context, db *sql.DB, live string) error {
	need, err := Need(ctx, db)
	if err != nil {
		return err
	}
	pi, err := os.Stat(o.Point)
	if err != nil {
		return err
	}
	cp := uint64(pi.Size()) + uint64(pi.Size())/16 + 1<<20
	folder := o.Config.Folder(o.DB)
	if sameDevice(existing(folder), filepath.Dir(live)) {
		return CheckSpace(o.DB, folder, need+cp, o.Config.off())
	}
	if err := CheckSpace(o.DB, folder, need, o.Config.off()); err != nil {
		return err
	}
	return CheckSpace(o.DB, filepath.Dir(live), cp, o.Config.off())
}

func sameDevice(a, b string) bool {
	x, err1 := os.Stat(a)
	y, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return true // count them together: the larger demand
	}
	sx, ok1 := x.Sys().(*syscall.Stat_t)
	sy, ok2 := y.Sys().(*syscall.Stat_t)
	return !ok1 || !ok2 || sx.Dev == sy.Dev
}

// swap renames tmp over live, holding the old file's exclusive lock across
// the rename: no process can write the old file meanwhile, and none wrote
// it since the point of it was taken (data_version).
func (o RestoreOptions) swap(ctx context.Context, db *sql.DB, tmp, live string, before int64) error {
	if _, err := db.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		return dblock.Explain(err, o.DB, o.Wait)
	}
	defer db.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	var after int64
	if err := db.QueryRowContext(ctx, "PRAGMA data_version").Scan(&after); err != nil {
		return err
	}
	if after != before {
		return &InUseError{DB: o.DB, Reason: "another process wrote it while its restore point was taken"}
	}
	if err := os.Rename(tmp, live); err != nil {
		return fmt.Errorf("replace %s: %w; the database was not replaced", o.DB, err)
	}
	// The old file's journal files, if any, would be read as the new one's.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(live + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the database was replaced, but %s%s of the old file could not be removed (remove it before opening the database): %w", o.DB, suffix, err)
		}
	}
	return syncFile(filepath.Dir(live))
}

// copyFile copies src to dst (created, never an existing file's content
// kept), synced, with the mode and, when permitted, the owner of like.
func copyFile(src, dst string, like os.FileInfo) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	os.Remove(dst) // a crashed restore's copy; the lock is held
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, like.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	os.Chmod(dst, like.Mode().Perm()) // O_CREATE's mode is masked by umask
	if st, ok := like.Sys().(*syscall.Stat_t); ok && os.Geteuid() == 0 {
		// root restoring an app's database must not leave it root's.
		os.Chown(dst, int(st.Uid), int(st.Gid))
	}
	return nil
}
