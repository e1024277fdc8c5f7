package dblock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sqlite "github.com/glebarez/go-sqlite"
)

// Proc is a process seen holding a file open.
type Proc struct {
	PID  int
	Comm string
}

func (p Proc) String() string { return fmt.Sprintf("pid %d (%s)", p.PID, p.Comm) }

// Holders lists the other processes that have path open, from /proc (only
// those this user may inspect; none where there is no /proc).
func Holders(path string) []Proc {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*/fd")
	var ps []Proc
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if pid == os.Getpid() {
			continue
		}
		fds, _ := os.ReadDir(d)
		for _, fd := range fds {
			if t, err := os.Readlink(filepath.Join(d, fd.Name())); err == nil && t == abs {
				comm, _ := os.ReadFile(filepath.Join(filepath.Dir(d), "comm"))
				ps = append(ps, Proc{PID: pid, Comm: strings.TrimSpace(string(comm))})
				break
			}
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].PID < ps[j].PID })
	return ps
}

// lockHolders lists the processes holding a flock on path where the
// system tells (Linux), else those having it open.
func lockHolders(path string) []Proc {
	if ps, ok := lockers(path); ok {
		return ps
	}
	return Holders(path)
}

// BusyError is SQLITE_BUSY after the busy timeout: another connection
// kept the database locked for the whole wait.
type BusyError struct {
	DB      string
	Waited  time.Duration
	Holders []Proc // processes with the database open
	Err     error
}

func (e *BusyError) Error() string {
	who := procList("open in", e.Holders)
	if who == "" {
		who = ", held by a process this user cannot see"
	}
	return fmt.Sprintf("database %s is locked by another writer%s; waited %s (--lock-timeout): %v", e.DB, who, e.Waited, e.Err)
}

func (e *BusyError) Unwrap() error { return e.Err }

// Explain turns an SQLITE_BUSY error on the database file db into a
// BusyError naming who holds it; other errors pass unchanged.
func Explain(err error, db string, waited time.Duration) error {
	var be *BusyError
	if err == nil || db == "" || errors.As(err, &be) || !isBusy(err) {
		return err
	}
	if waited <= 0 {
		waited = DefaultWait
	}
	return &BusyError{DB: db, Waited: waited, Holders: Holders(db), Err: err}
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == 5 // SQLITE_BUSY and its extended codes
	}
	return strings.Contains(err.Error(), "SQLITE_BUSY")
}
