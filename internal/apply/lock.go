package apply

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
)

const (
	// LockName is the lock the Atlas CLI takes for `migrate apply`; taking
	// the same one keeps the two tools from applying at once on one host.
	LockName = "atlas_migrate_execute"
	// lockTTL is how long the lock file stays valid without a refresh (the
	// CLI's default), so a crashed run blocks others for seconds, not hours.
	lockTTL = 10 * time.Second
	// lockWait is how long to wait for another run to finish.
	lockWait = 30 * time.Second
)

// Lock takes the migration lock, waiting for another run to finish, and
// keeps it valid while held (a long table rebuild outlasts the TTL).
func Lock(ctx context.Context, drv migrate.Driver, out io.Writer) (func(), error) {
	deadline := time.Now().Add(lockWait)
	waited := false
	for {
		unlock, err := drv.Lock(ctx, LockName, lockTTL)
		if err == nil {
			stop := make(chan struct{})
			done := make(chan struct{})
			go refresh(stop, done)
			return func() {
				close(stop)
				<-done
				unlock()
			}, nil
		}
		if !strings.Contains(err.Error(), "already taken") || time.Now().After(deadline) {
			return nil, fmt.Errorf("another migration is running (%v); waited %s", err, lockWait)
		}
		if !waited {
			fmt.Fprintln(out, "-- waiting for another migration to finish (lock "+LockName+")")
			waited = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// refresh pushes the lock's expiry forward until stop is closed. The file
// format is Atlas's: the expiry in Unix nanoseconds.
func refresh(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	path := filepath.Join(os.TempDir(), LockName+".lock")
	t := time.NewTicker(lockTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			_ = os.WriteFile(path, []byte(strconv.FormatInt(time.Now().Add(lockTTL).UnixNano(), 10)), 0o600)
		}
	}
}
