package migdir_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// expectedSum computes atlas.sum for the top-level *.sql files of path
// without calling Atlas, following sql/migrate dir.go (LocalDir.Checksum,
// NewHashFile, HashFile.Sum, HashFile.MarshalText):
//   - files are the *.sql files, sorted by name;
//   - one SHA-256 runs over all files: for each file, write its name bytes,
//     then its content bytes; the file's entry is base64(sum so far);
//   - the first line hashes, in a fresh SHA-256, every (name, entry) pair;
//   - format: "h1:<total>\n" then "<name> h1:<entry>\n" per file.
func expectedSum(t *testing.T, path string) []byte {
	t.Helper()
	ents, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	type entry struct{ name, hash string }
	var (
		entries []entry
		running = sha256.New()
	)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(path, n))
		if err != nil {
			t.Fatal(err)
		}
		running.Write([]byte(n))
		running.Write(b)
		entries = append(entries, entry{n, base64.StdEncoding.EncodeToString(running.Sum(nil))})
	}
	total := sha256.New()
	var lines bytes.Buffer
	for _, e := range entries {
		total.Write([]byte(e.name))
		total.Write([]byte(e.hash))
		fmt.Fprintf(&lines, "%s h1:%s\n", e.name, e.hash)
	}
	return append([]byte("h1:"+base64.StdEncoding.EncodeToString(total.Sum(nil))+"\n"), lines.Bytes()...)
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readSum(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, migdir.SumFile))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func openDir(t *testing.T, path string) *migrate.LocalDir {
	t.Helper()
	d, err := migdir.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	initName = "20261130033654_init.sql"
	initSQL  = "-- Create \"players\" table\nCREATE TABLE `players` (`id` text NOT NULL, PRIMARY KEY (`id`));\n"
	nickName = "20261201101010_add_nickname.sql"
	nickSQL  = "-- Add column \"nickname\" to table: \"players\"\nALTER TABLE `players` ADD COLUMN `nickname` text NULL;\n"
)

// hashedDir returns a temporary directory holding two migration files and
// the atlas.sum migdir.Hash wrote for them.
func hashedDir(t *testing.T) (string, *migrate.LocalDir) {
	t.Helper()
	path := t.TempDir()
	writeFiles(t, path, map[string]string{initName: initSQL, nickName: nickSQL})
	d := openDir(t, path)
	if err := migdir.Hash(d); err != nil {
		t.Fatal(err)
	}
	return path, d
}

var (
	sumHeadRE = regexp.MustCompile(`^h1:[A-Za-z0-9+/]{43}=$`)
	sumLineRE = regexp.MustCompile(`^(\S+\.sql) h1:[A-Za-z0-9+/]{43}=$`)
)

func TestHashWritesAtlasSumFormat(t *testing.T) {
	path := t.TempDir()
	writeFiles(t, path, map[string]string{
		initName: initSQL,
		nickName: nickSQL,
		// Neither a non-.sql file nor a subfolder (down scripts) is hashed.
		"README.md":               "notes\n",
		"down/" + nickName:        "ALTER TABLE `players` DROP COLUMN `nickname`;\n",
		"down/20261130033654.sql": "DROP TABLE `players`;\n",
	})
	d := openDir(t, path)
	if err := migdir.Hash(d); err != nil {
		t.Fatal(err)
	}
	got := readSum(t, path)
	if want := expectedSum(t, path); !bytes.Equal(got, want) {
		t.Fatalf("atlas.sum differs from the independent computation:\n got:\n%s\nwant:\n%s", got, want)
	}
	// The shape, independently of the hash values.
	if !bytes.HasSuffix(got, []byte("\n")) {
		t.Errorf("atlas.sum does not end with a newline: %q", got)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("atlas.sum has %d lines, want 3:\n%s", len(lines), got)
	}
	if !sumHeadRE.MatchString(lines[0]) {
		t.Errorf("line 1 %q is not h1:<base64 sha256>", lines[0])
	}
	for i, want := range []string{initName, nickName} {
		m := sumLineRE.FindStringSubmatch(lines[i+1])
		if m == nil || m[1] != want {
			t.Errorf("line %d = %q, want %q h1:<base64 sha256>", i+2, lines[i+1], want)
		}
	}
	// The first file's entry is sha256(name || content) alone.
	first := sha256.Sum256([]byte(initName + initSQL))
	if want := initName + " h1:" + base64.StdEncoding.EncodeToString(first[:]); lines[1] != want {
		t.Errorf("line 2 = %q, want %q", lines[1], want)
	}
	// The second file's entry is a running hash over both files, not its own.
	own := sha256.Sum256([]byte(nickName + nickSQL))
	if strings.HasSuffix(lines[2], base64.StdEncoding.EncodeToString(own[:])) {
		t.Errorf("line 3 %q hashes its file alone; want a running hash over all files so far", lines[2])
	}
	running := sha256.Sum256([]byte(initName + initSQL + nickName + nickSQL))
	if want := nickName + " h1:" + base64.StdEncoding.EncodeToString(running[:]); lines[2] != want {
		t.Errorf("line 3 = %q, want %q", lines[2], want)
	}
	if err := migdir.Validate(d); err != nil {
		t.Errorf("Validate after Hash: %v", err)
	}
	// Hashing is deterministic.
	if err := migdir.Hash(d); err != nil {
		t.Fatal(err)
	}
	if again := readSum(t, path); !bytes.Equal(again, got) {
		t.Errorf("second Hash changed atlas.sum:\n%s\n---\n%s", got, again)
	}
}

func TestHashEmptyDir(t *testing.T) {
	path := t.TempDir()
	d := openDir(t, path)
	if err := migdir.Validate(d); err != nil {
		t.Fatalf("Validate on an empty dir without atlas.sum: %v", err)
	}
	if err := migdir.Hash(d); err != nil {
		t.Fatal(err)
	}
	empty := sha256.Sum256(nil)
	if got, want := string(readSum(t, path)), "h1:"+base64.StdEncoding.EncodeToString(empty[:])+"\n"; got != want {
		t.Errorf("atlas.sum of an empty dir = %q, want %q", got, want)
	}
	if err := migdir.Validate(d); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// testdata/clisum holds two files and an atlas.sum computed outside Atlas
// with the same algorithm as expectedSum.
func TestCLISumFixture(t *testing.T) {
	const fixture = "testdata/clisum"
	want := readSum(t, fixture)
	if indep := expectedSum(t, fixture); !bytes.Equal(indep, want) {
		t.Fatalf("fixture atlas.sum is not what the independent algorithm gives:\n%s\n---\n%s", want, indep)
	}
	if err := migdir.Validate(openDir(t, fixture)); err != nil {
		t.Fatalf("Validate(%s): %v", fixture, err)
	}
	// Re-hash a copy, so the fixture itself is never rewritten.
	path := t.TempDir()
	ents, err := os.ReadDir(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var sqlFiles int
	for _, e := range ents {
		if e.Name() == migdir.SumFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(fixture, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, path, map[string]string{e.Name(): string(b)})
		sqlFiles++
	}
	if sqlFiles != 2 {
		t.Fatalf("fixture has %d migration files, want 2", sqlFiles)
	}
	if err := migdir.Hash(openDir(t, path)); err != nil {
		t.Fatal(err)
	}
	if got := readSum(t, path); !bytes.Equal(got, want) {
		t.Errorf("Hash does not reproduce the fixture byte for byte:\n got:\n%s\nwant:\n%s", got, want)
	}
}

func TestValidateChecksumErrors(t *testing.T) {
	const (
		addName = "20261215000000_add_team.sql"
		addSQL  = "ALTER TABLE `players` ADD COLUMN `team` text NULL;\n"
		midName = "20261200000000_middle.sql"
	)
	tests := []struct {
		name     string
		change   func(t *testing.T, path string)
		want     []string // substrings of the message
		sentinel error
		line     int // migrate.ChecksumError line; 0 when not a mismatch
	}{
		{
			name: "edited",
			change: func(t *testing.T, path string) {
				writeFiles(t, path, map[string]string{nickName: nickSQL + "-- edited\n"})
			},
			want:     []string{"L3: " + nickName + " was edited"},
			sentinel: migrate.ErrChecksumMismatch,
			line:     3,
		},
		{
			name: "edited first",
			change: func(t *testing.T, path string) {
				writeFiles(t, path, map[string]string{initName: strings.Replace(initSQL, "players", "people", 1)})
			},
			want:     []string{"L2: " + initName + " was edited"},
			sentinel: migrate.ErrChecksumMismatch,
			line:     2,
		},
		{
			name: "added at end",
			change: func(t *testing.T, path string) {
				writeFiles(t, path, map[string]string{addName: addSQL})
			},
			want:     []string{"L4: " + addName + " was added"},
			sentinel: migrate.ErrChecksumMismatch,
			line:     4,
		},
		{
			name: "added in the middle",
			change: func(t *testing.T, path string) {
				writeFiles(t, path, map[string]string{midName: addSQL})
			},
			want:     []string{"L3: " + midName + " was added"},
			sentinel: migrate.ErrChecksumMismatch,
			line:     3,
		},
		{
			name: "removed",
			change: func(t *testing.T, path string) {
				if err := os.Remove(filepath.Join(path, nickName)); err != nil {
					t.Fatal(err)
				}
			},
			want:     []string{"L3: " + nickName + " was removed"},
			sentinel: migrate.ErrChecksumMismatch,
			line:     3,
		},
		{
			name: "removed first",
			change: func(t *testing.T, path string) {
				if err := os.Remove(filepath.Join(path, initName)); err != nil {
					t.Fatal(err)
				}
			},
			want:     []string{"L2: " + initName + " was removed"},
			sentinel: migrate.ErrChecksumMismatch,
			line:     2,
		},
		{
			name: "sum file missing",
			change: func(t *testing.T, path string) {
				if err := os.Remove(filepath.Join(path, migdir.SumFile)); err != nil {
					t.Fatal(err)
				}
			},
			want:     []string{"checksum file not found"},
			sentinel: migrate.ErrChecksumNotFound,
		},
		{
			name: "sum file tampered",
			change: func(t *testing.T, path string) {
				b := readSum(t, path)
				b = bytes.Replace(b, []byte(initName), []byte("20261130033654_other.sql"), 1)
				writeFiles(t, path, map[string]string{migdir.SumFile: string(b)})
			},
			want:     []string{"checksum mismatch"},
			sentinel: migrate.ErrChecksumMismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, d := hashedDir(t)
			if err := migdir.Validate(d); err != nil {
				t.Fatalf("Validate before the change: %v", err)
			}
			tt.change(t, path)
			err := migdir.Validate(d)
			if err == nil {
				t.Fatal("Validate accepted the directory")
			}
			var ce *migdir.ChecksumError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate returned %T (%v), want *migdir.ChecksumError", err, err)
			}
			if ce.Dir != path {
				t.Errorf("ChecksumError.Dir = %q, want %q", ce.Dir, path)
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(err, %v) = false; err = %v", tt.sentinel, err)
			}
			var mce *migrate.ChecksumError
			if tt.line > 0 {
				if !errors.As(err, &mce) || mce.Line != tt.line {
					t.Errorf("wrapped *migrate.ChecksumError = %+v, want line %d", mce, tt.line)
				}
			}
			msg := err.Error()
			want := append([]string{
				"You have a checksum error in your migration directory",
				"atlas migrate hash",
			}, tt.want...)
			if tt.line > 0 {
				// The location names the sum file, as the CLI does.
				want = append(want, filepath.Join(path, migdir.SumFile)+" L")
			}
			for _, w := range want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is not a single line: %q", msg)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "a", "migrations")
	if _, err := migdir.Open(missing, false); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Open(missing, false) = %v, want an error naming %s", err, missing)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("Open(missing, false) created the directory (stat: %v)", err)
	}
	d, err := migdir.Open(missing, true)
	if err != nil {
		t.Fatalf("Open(missing, true): %v", err)
	}
	if d.Path() != missing {
		t.Errorf("Path() = %q, want %q", d.Path(), missing)
	}
	if fi, err := os.Stat(missing); err != nil || !fi.IsDir() {
		t.Errorf("Open(missing, true) did not create the directory: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	writeFiles(t, filepath.Dir(file), map[string]string{"file": "x"})
	if _, err := migdir.Open(file, false); err == nil {
		t.Error("Open(a regular file) succeeded")
	}
}

func TestNextVersion(t *testing.T) {
	// A non-UTC clock: the version must still be UTC.
	zone := time.FixedZone("UTC+2", 2*3600)
	now := time.Date(2026, 12, 1, 12, 0, 30, 999_000_000, zone) // 10:00:30 UTC
	const nowV = "20261201100030"

	t.Run("empty dir", func(t *testing.T) {
		d := openDir(t, t.TempDir())
		v, err := migdir.NextVersion(d, now)
		if err != nil || v != nowV {
			t.Errorf("NextVersion = %q, %v; want %q", v, err, nowV)
		}
		// The real clock, in the CLI's format.
		before := time.Now().UTC().Truncate(time.Second)
		v, err = migdir.NextVersion(d, time.Now())
		after := time.Now().UTC()
		if err != nil {
			t.Fatal(err)
		}
		got, perr := time.Parse("20060102150405", v)
		if perr != nil || len(v) != 14 || got.Before(before) || got.After(after) {
			t.Errorf("NextVersion(time.Now()) = %q (%v), want now in UTC as yyyymmddhhmmss", v, perr)
		}
	})
	tests := []struct {
		name, last, want string
	}{
		{"last older than now", "20261130033654", nowV},
		{"last one second older", "20261201100029", nowV},
		{"last equals now", nowV, "20261201100031"},
		{"last in the future", "20270101000000", "20270101000001"},
		{"carry over the year", "20271231235959", "20280101000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := t.TempDir()
			writeFiles(t, path, map[string]string{
				"20200101000000_first.sql": "SELECT 1;\n",
				tt.last + "_last.sql":      "SELECT 2;\n",
			})
			v, err := migdir.NextVersion(openDir(t, path), now)
			if err != nil || v != tt.want {
				t.Errorf("NextVersion = %q, %v; want %q", v, err, tt.want)
			}
		})
	}
	t.Run("non-timestamp last version", func(t *testing.T) {
		path := t.TempDir()
		writeFiles(t, path, map[string]string{
			"20261130033654_init.sql": "SELECT 1;\n",
			"9_fix.sql":               "SELECT 2;\n", // sorts last
		})
		v, err := migdir.NextVersion(openDir(t, path), now)
		if err == nil {
			t.Fatalf("NextVersion = %q, want an error", v)
		}
		if !strings.Contains(err.Error(), `"9"`) {
			t.Errorf("error %q does not name the version", err)
		}
	})
	t.Run("not a migration file name", func(t *testing.T) {
		path := t.TempDir()
		writeFiles(t, path, map[string]string{
			"20261130033654_init.sql": "SELECT 1;\n",
			"v2_fix.sql":              "SELECT 2;\n",
		})
		v, err := migdir.NextVersion(openDir(t, path), now)
		var ne *migdir.NameError
		if !errors.As(err, &ne) || ne.Path != filepath.Join(path, "v2_fix.sql") {
			t.Fatalf("NextVersion = %q, %v; want a NameError for v2_fix.sql", v, err)
		}
	})
}

func TestCheckName(t *testing.T) {
	for _, name := range []string{"add_nickname", "v2-fix", "init", "A1", "9_lives"} {
		if err := migdir.CheckName(name); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", "a b", "../x", "x.sql", "a/b", `a\b`, "_x", "-x", "x\n", "é"} {
		if err := migdir.CheckName(name); err == nil {
			t.Errorf("CheckName(%q) = nil, want an error", name)
		}
	}
}

func TestWriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "migrations")
	d, err := migdir.Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := migdir.WriteFile(d, initName, []byte(initSQL))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(path, initName); got != want {
		t.Errorf("WriteFile returned %q, want %q", got, want)
	}
	if _, err := migdir.WriteFile(d, nickName, []byte(nickSQL)); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{initName: initSQL, nickName: nickSQL} {
		b, err := os.ReadFile(filepath.Join(path, name))
		if err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", name, b, err, want)
		}
	}
	if err := migdir.Validate(d); err != nil {
		t.Errorf("Validate after WriteFile: %v", err)
	}
	if got, want := readSum(t, path), expectedSum(t, path); !bytes.Equal(got, want) {
		t.Errorf("atlas.sum after WriteFile:\n%s\nwant:\n%s", got, want)
	}
	// A fresh LocalDir (what the next command sees) validates too.
	if err := migdir.Validate(openDir(t, path)); err != nil {
		t.Errorf("Validate from a fresh Open: %v", err)
	}
}

func TestLine(t *testing.T) {
	b := []byte("-- c\nSELECT 1;\n\nSELECT 2;\n")
	tests := []struct{ pos, want int }{
		{0, 1},
		{4, 1},  // the first "\n" itself is on line 1
		{5, 2},  // "SELECT 1;"
		{15, 3}, // the empty line
		{16, 4}, // "SELECT 2;"
		{len(b), 5},
		{len(b) + 100, 5}, // clamped
	}
	for _, tt := range tests {
		if got := migdir.Line(b, tt.pos); got != tt.want {
			t.Errorf("Line(b, %d) = %d, want %d", tt.pos, got, tt.want)
		}
	}
	if got := migdir.Line(nil, 0); got != 1 {
		t.Errorf("Line(nil, 0) = %d, want 1", got)
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"SELECT 1;", 80, "SELECT 1;"},
		{"  CREATE TABLE t (\n\tid int,\r\n  name text\n);\n", 80, "CREATE TABLE t ( id int, name text );"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcdef…"},
		{"a  b   c", 3, "a b…"},
		{"éèêëēė", 4, "éèêë…"}, // cut on runes, not bytes
		{"", 10, ""},
		{" \n\t ", 10, ""},
	}
	for _, tt := range tests {
		if got := migdir.OneLine(tt.in, tt.max); got != tt.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestAsStmtError runs a failing file through Atlas's executor on a real
// SQLite database and checks the error names the file and the line of the
// failing statement.
func TestAsStmtError(t *testing.T) {
	const (
		name    = "20261201101010_broken.sql"
		content = "-- Create \"a\" table\nCREATE TABLE `a` (`id` integer NULL);\n\n-- Fill \"b\"\nINSERT INTO `b`\n  (`id`) VALUES (1);\nCREATE TABLE `c` (`id` integer NULL);\n"
	)
	path := t.TempDir()
	d := openDir(t, path)
	if _, err := migdir.WriteFile(d, name, []byte(content)); err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.OpenFile(filepath.Join(t.TempDir(), "app.db"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	drv, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := migrate.NewExecutor(drv, d, migrate.NopRevisionReadWriter{})
	if err != nil {
		t.Fatal(err)
	}
	files, err := d.Files()
	if err != nil || len(files) != 1 {
		t.Fatalf("Files = %v, %v", files, err)
	}
	execErr := ex.Execute(context.Background(), files[0])
	if execErr == nil {
		t.Fatal("Execute succeeded, want a failure on INSERT INTO `b`")
	}
	se := migdir.AsStmtError(d, "applying", fmt.Errorf("wrapped: %w", execErr))
	if se == nil {
		t.Fatalf("AsStmtError(%T %v) = nil", execErr, execErr)
	}
	if want := filepath.Join(path, name); se.Path != want {
		t.Errorf("Path = %q, want %q", se.Path, want)
	}
	if se.Line != 5 {
		t.Errorf("Line = %d, want 5 (the INSERT)", se.Line)
	}
	if se.Op != "applying" || !strings.HasPrefix(se.Stmt, "INSERT INTO `b`") {
		t.Errorf("Op, Stmt = %q, %q", se.Op, se.Stmt)
	}
	if se.Err == nil || !strings.Contains(se.Err.Error(), "no such table") {
		t.Errorf("Err = %v, want SQLite's no such table", se.Err)
	}
	msg := se.Error()
	if want := filepath.Join(path, name) + ":5: applying \"INSERT INTO `b` (`id`) VALUES (1);\": "; !strings.HasPrefix(msg, want) {
		t.Errorf("Error() = %q, want prefix %q", msg, want)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("Error() is not one line: %q", msg)
	}
	if !errors.Is(se, se.Err) {
		t.Error("StmtError does not unwrap to the SQLite error")
	}
	if got := migdir.AsStmtError(d, "applying", errors.New("other")); got != nil {
		t.Errorf("AsStmtError(other error) = %v, want nil", got)
	}
	if got := migdir.AsStmtError(d, "applying", nil); got != nil {
		t.Errorf("AsStmtError(nil) = %v, want nil", got)
	}
}

// OneStmt accepts exactly one complete statement, as the file scanner sees
// it, and SQLite runs exactly that one; anything else is refused.
func TestOneStmt(t *testing.T) {
	db, err := sqlitedb.OpenMemory("onestmt")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (a text); CREATE TABLE victim (a int); INSERT INTO victim VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	for cmd, ok := range map[string]bool{
		"INSERT INTO t VALUES ('a; b')":                                     true,
		"INSERT INTO `t` (`a`) VALUES (\"x\") -- ; DELETE FROM victim\n":    true,
		"-- atlas:nolint DS103\nINSERT INTO t VALUES ('/* ; */')":           true,
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END": true,
		"INSERT INTO t VALUES ('x'); DELETE FROM victim":                    false,
		"INSERT INTO `t` (`a`) VALUES ('x'); DELETE FROM victim; --` text)": false,
		"INSERT INTO `t`` (`a`) VALUES ('x')":                               false,
		"INSERT INTO t VALUES ('x)":                                         false,
		"INSERT INTO t VALUES ('x') /* unclosed":                            true,  // runs alone: the scanner ends it at ";", SQLite at the end
		"INSERT INTO t VALUES ('x') -- no newline":                          false, // would swallow its ";"
		"": false,
		"INSERT INTO t VALUES ('it''s'); INSERT INTO t VALUES ('two')":         false,
		"INSERT INTO t VALUES ('back\\'); DELETE FROM victim; SELECT ('\\')":   false,
		"INSERT INTO [t] VALUES ('a')":                                         true,
		"INSERT INTO \"t\" VALUES ('a'); -- trailing comment after the end ;;": true, // a comment after it
	} {
		err := migdir.OneStmt(cmd)
		if (err == nil) != ok {
			t.Errorf("OneStmt(%q) = %v, want ok=%v", cmd, err, ok)
			continue
		}
		if ok && !strings.HasPrefix(cmd, "CREATE TRIGGER") {
			if _, err := db.Exec(cmd); err != nil {
				t.Errorf("%q: %v", cmd, err)
			}
		}
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM victim").Scan(&n); err != nil || n != 1 {
		t.Fatalf("victim has %d rows (%v), want 1", n, err)
	}
}
