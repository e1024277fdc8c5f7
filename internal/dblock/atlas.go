package dblock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// The Atlas CLI's lock, as `atlas migrate apply` takes it for a sqlite://
// file URL (ariga.io/atlas sql/sqlite Driver.Lock with the name
// "atlas_migrate_execute"; the URL's DSN has no "file:" prefix, so no
// per-database suffix): the file $TMPDIR/atlas_migrate_execute.lock holding
// an expiry in Unix nanoseconds (now + --lock-timeout, 10s by default). The
// CLI refuses at once while the expiry is in the future, overwrites an
// expired file and removes it when done. One file for every database.
const (
	AtlasLockName = "atlas_migrate_execute"
	atlasTTL      = 10 * time.Second // the CLI's default lock timeout
	atlasRefresh  = atlasTTL / 4
)

// AtlasLockPath is the Atlas CLI's lock file for sqlite:// file URLs.
func AtlasLockPath() string { return filepath.Join(os.TempDir(), AtlasLockName+".lock") }

// atlas takes the Atlas CLI's lock for the length of the run. Its contents
// are not trusted: which tool wrote it is told by the holder file beside it
// (AtlasLockPath()+".structmigrate"), which every structmigrate run holding
// the CLI's lock keeps share-flocked and writes after each write of the
// lock (so its mtime is not older).
//   - a holder flocked by a live run: the lock is ours, share it (runs on
//     other databases go on in parallel; each refreshes the expiry);
//   - no live holder, lock file not newer than the holder: a dead run of
//     ours wrote it; take it over at once;
//   - no live holder, lock file newer: the CLI wrote it; wait until its
//     expiry (a live CLI removes it when done, a dead one's expires);
//   - absent, empty, unreadable or expired: take it.
//
// A lock file this user may not replace (another user's, in a sticky
// /tmp) cannot be taken by this user's Atlas CLI either: skipped, with a note.
func (w *waiter) atlas(ctx context.Context) (release func(), err error) {
	lock := AtlasLockPath()
	h, err := openLockFile(lock + ".structmigrate")
	if err != nil {
		fmt.Fprintf(w.out, "-- note: not taking the Atlas CLI's lock %s: %v\n", lock, err)
		return func() {}, nil
	}
	for {
		err := flock(h, lockEx|lockNB)
		switch {
		case err == nil:
			// No other run of ours holds it: decide on the file itself.
			until, cli := cliLock(lock, h)
			if !cli {
				if werr := writeAtlas(lock, h); werr != nil {
					flock(h, lockUn)
					h.Close()
					fmt.Fprintf(w.out, "-- note: not taking the Atlas CLI's lock %s: %v\n", lock, werr)
					return func() {}, nil
				}
				if err := flock(h, lockSh); err != nil {
					h.Close()
					return nil, err
				}
				return w.hold(lock, h), nil
			}
			flock(h, lockUn)
			ok, cerr := w.sleep(ctx, fmt.Sprintf("the Atlas CLI's migration lock %s (valid until %s)", lock, until.Format(time.TimeOnly)))
			if cerr != nil || !ok {
				h.Close()
				if cerr != nil {
					return nil, cerr
				}
				return nil, &HeldError{Lock: lock, What: "the Atlas CLI is applying migrations (its lock is valid until " + until.Format(time.RFC3339) + ")", Waited: w.wait}
			}
		case errors.Is(err, errWouldBlock):
			// Another run of ours holds it (or is deciding): share it.
			if flock(h, lockSh|lockNB) == nil {
				return w.hold(lock, h), nil
			}
			ok, cerr := w.sleep(ctx, "the Atlas CLI's migration lock "+lock)
			if cerr != nil || !ok {
				h.Close()
				if cerr != nil {
					return nil, cerr
				}
				return nil, &HeldError{Lock: lock + ".structmigrate", What: "another migration holds the Atlas CLI's lock", Waited: w.wait, Holders: lockHolders(lock + ".structmigrate")}
			}
		default:
			h.Close()
			return nil, fmt.Errorf("migration lock %s: %w", lock, err)
		}
	}
}

// cliLock reports whether lock is a valid lock the Atlas CLI wrote, and
// until when.
func cliLock(lock string, h *os.File) (time.Time, bool) {
	fi, err := os.Stat(lock)
	if err != nil {
		return time.Time{}, false
	}
	// A marked holder (never empty once written) not older than the lock:
	// a run of ours wrote the lock, and no live run shares it.
	if hi, err := h.Stat(); err == nil && hi.Size() > 0 && !fi.ModTime().After(hi.ModTime()) {
		return time.Time{}, false
	}
	b, err := os.ReadFile(lock)
	if err != nil {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || time.Unix(0, n).Before(time.Now()) {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// writeAtlas writes the CLI's lock with a fresh expiry, whole (a renamed
// temporary file, so the CLI never reads half of it), then marks it ours.
func writeAtlas(lock string, h *os.File) error {
	tmp := fmt.Sprintf("%s.%d.tmp", lock, os.Getpid())
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(time.Now().Add(atlasTTL).UnixNano(), 10)), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, lock); err != nil {
		os.Remove(tmp)
		return err
	}
	// A holder file opened read-only (another user's) cannot be marked: the
	// lock then reads as the CLI's to the next run, which waits out its expiry.
	_, _ = h.WriteAt([]byte{'\n'}, 0)
	return nil
}

// hold keeps the CLI's lock fresh until released; the last run of ours to
// release it removes it.
func (w *waiter) hold(lock string, h *os.File) func() {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(atlasRefresh)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if _, cli := cliLock(lock, h); !cli {
					_ = writeAtlas(lock, h)
				}
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		if flock(h, lockEx|lockNB) == nil {
			if _, cli := cliLock(lock, h); !cli {
				os.Remove(lock)
			}
		}
		h.Close()
	}
}
