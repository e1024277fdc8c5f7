package restorepoint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An app that opens the database while restore runs (after restore looked
// for processes having it open, before the rename: here while the point of
// the current database is written) holds the old file and would write to
// it after the restore, lost. Restore looks again with the old file's
// exclusive lock held, right before the rename, and refuses.
func TestRestoreLateOpener(t *testing.T) {
	if os.Getenv("RESTOREPOINT_OPENER") != "" {
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	db := newDB(t, path, 30000)
	p, err := Config{Dir: filepath.Join(dir, "first")}.Take(ctx, db, path, "1")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var old syscall.Stat_t
	if err := syscall.Stat(path, &old); err != nil {
		t.Fatal(err)
	}
	want := digest(t, path)
	folder := filepath.Join(dir, "points")
	ready, opened := filepath.Join(dir, "ready"), filepath.Join(dir, "opened")
	cmd := exec.Command(os.Args[0], "-test.run=^TestLateOpenerHelper$")
	cmd.Env = append(os.Environ(), "RESTOREPOINT_OPENER="+path, "RESTOREPOINT_FOLDER="+folder, "RESTOREPOINT_READY="+ready, "RESTOREPOINT_OPENED="+opened)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Since(start) > 30*time.Second {
			t.Fatal("the opener did not start")
		}
	}
	_, rerr := Restore(ctx, RestoreOptions{DB: path, Point: p.Path, Config: Config{Dir: folder}})
	ino, err := os.ReadFile(opened)
	if err != nil || string(ino) != fmt.Sprint(old.Ino) {
		t.Skipf("the opener did not open the old file in time (inode %q, %v): nothing to test", ino, err)
	}
	var inUse *InUseError
	if !errors.As(rerr, &inUse) || !strings.Contains(rerr.Error(), "open in pid ") {
		t.Fatalf("Restore: %v, want a refusal naming the process", rerr)
	}
	if got := digest(t, path); got != want {
		t.Fatal("the database was replaced")
	}
}

// TestLateOpenerHelper is the app TestRestoreLateOpener starts: it opens
// the database as soon as a point is being written, and keeps it open.
func TestLateOpenerHelper(t *testing.T) {
	path := os.Getenv("RESTOREPOINT_OPENER")
	if path == "" {
		t.Skip("run by TestRestoreLateOpener")
	}
	folder := os.Getenv("RESTOREPOINT_FOLDER")
	os.WriteFile(os.Getenv("RESTOREPOINT_READY"), nil, 0o644)
	for {
		ents, _ := os.ReadDir(folder)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), Suffix+tmpSuffix) {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				var st syscall.Stat_t
				syscall.Fstat(int(f.Fd()), &st)
				os.WriteFile(os.Getenv("RESTOREPOINT_OPENED"), []byte(fmt.Sprint(st.Ino)), 0o644)
				time.Sleep(time.Minute)
				return
			}
		}
		time.Sleep(100 * time.Microsecond)
	}
}
