package apply

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Another run's lock makes Lock wait, not fail: it takes the lock once the
// other run lets it go (here: its lock expires), and says it waited.
func TestLockWaitsForAnotherRun(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "app.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	drv, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), LockName+".lock")
	held := time.Now().Add(400 * time.Millisecond)
	if err := os.WriteFile(path, []byte(strconv.FormatInt(held.UnixNano(), 10)), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	unlock, err := Lock(context.Background(), drv, &out)
	if err != nil {
		t.Fatal(err)
	}
	if time.Now().Before(held) {
		t.Errorf("took the lock before the other run released it")
	}
	if !strings.Contains(out.String(), "waiting for another migration to finish") {
		t.Errorf("output = %q", out.String())
	}
	unlock()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
	// A cancelled context stops the wait.
	if err := os.WriteFile(path, []byte(strconv.FormatInt(time.Now().Add(time.Minute).UnixNano(), 10)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, drv, &out); err == nil {
		t.Fatal("took a lock held by another run")
	}
}
