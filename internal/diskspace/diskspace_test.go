package diskspace

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Tmpfs mounts a tmpfs of size (e.g. "8m") on a fresh directory, or skips
// the test where mounting is not allowed (not root, no CAP_SYS_ADMIN).
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the disk-full case needs one", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// On a file system with room for the table once but not twice, Check
// refuses with both numbers; with room for the copy it passes. The
// measured size is the table's and its index's pages, not the file's.
func TestCheck(t *testing.T) {
	ctx := context.Background()
	dir := Tmpfs(t, "6m")
	path := filepath.Join(dir, "d.db")
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE small (id integer primary key, a text);
CREATE TABLE big (id integer primary key, a text);
CREATE INDEX big_a ON big (a);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000) INSERT INTO big SELECT i, hex(randomblob(100)) FROM n;
INSERT INTO small VALUES (1, 'x')`); err != nil {
		t.Fatal(err)
	}
	var pages, pageSize uint64
	if err := db.QueryRow("SELECT (SELECT page_count FROM pragma_page_count), (SELECT page_size FROM pragma_page_size)").Scan(&pages, &pageSize); err != nil {
		t.Fatal(err)
	}
	big, err := TableBytes(ctx, db, "big")
	if err != nil {
		t.Fatal(err)
	}
	small, err := TableBytes(ctx, db, "small")
	if err != nil {
		t.Fatal(err)
	}
	// big holds nearly the whole file; small one page.
	if file := pages * pageSize; big < file*9/10 || big > file || small != pageSize {
		t.Fatalf("TableBytes: big %d, small %d, file %d", big, small, file)
	}
	free, err := Free(path)
	if err != nil {
		t.Fatal(err)
	}
	if free >= big {
		t.Fatalf("the tmpfs has %d free, the table %d: the test needs less room", free, big)
	}
	err = Check(ctx, db, path, "m.sql", []string{"big"})
	var short *ShortError
	if !errors.As(err, &short) {
		t.Fatalf("Check(big) = %v, want a ShortError", err)
	}
	if short.Need != big || short.Free > free || short.Free < free-free/10 {
		t.Fatalf("ShortError %+v, want need %d, free about %d", short, big, free)
	}
	for _, s := range []string{`m.sql: not enough disk space to rebuild "big"`, Size(big), path} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message %q lacks %q", err, s)
		}
	}
	if err := Check(ctx, db, path, "m.sql", []string{"small"}); err != nil {
		t.Fatalf("Check(small): %v", err)
	}
}

// A copy reuses the database's free pages before the file grows: after
// most rows are deleted, their pages cover the copy and Check needs
// nothing from the file system.
func TestCheckFreePages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	db, err := sqlitedb.OpenFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE big (id integer primary key, a text);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO big SELECT i, hex(randomblob(100)) FROM n;
DELETE FROM big WHERE id > 100`); err != nil {
		t.Fatal(err)
	}
	table, err := TableBytes(ctx, db, "big")
	if err != nil {
		t.Fatal(err)
	}
	reuse, err := FreePages(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if reuse < 10*table {
		t.Fatalf("free pages %d, table %d: deleting 98%% of the rows freed too little", reuse, table)
	}
	if err := Check(ctx, db, "/nonexistent/d.db", "m.sql", []string{"big"}); err != nil {
		t.Fatalf("Check looked at the file system though the free pages hold the copy: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{
		"0": 0, "1048576": 1 << 20, "500MB": 500 << 20, "2GB": 2 << 30, "1.5g": 3 << 29, " 10 kb ": 10 << 10, "7B": 7, "1T": 1 << 40,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1MB", "1e9", "0x10", "Inf", "NaN", "MB", "1 PB", "99999999999TB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}
