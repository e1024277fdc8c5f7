package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// TestMakefile runs make in a copy of the repository: bare make only lists
// the targets, help documents every .PHONY target, and migrate-status
// reports pending files as success (no make error) while drift and failures
// still fail with the tool's exit code in make's message.
func TestMakefile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tool in a copy of the repository")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	repo := copyRepo(t)
	db := filepath.Join(t.TempDir(), "app.db")

	out, err := runMake(t, repo, db)
	if err != nil {
		t.Fatalf("bare make: %v\n%s", err, out)
	}
	if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("bare make touched the database (%v):\n%s", err, out)
	}
	help, err := runMake(t, repo, db, "help")
	if err != nil || help != out {
		t.Fatalf("make help (%v) differs from bare make:\n%s\n--\n%s", err, help, out)
	}
	mk, err := os.ReadFile(filepath.Join(repo, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\.PHONY:(.*)$`).FindAllStringSubmatch(string(mk), -1) {
		for _, target := range strings.Fields(m[1]) {
			if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(target) + `( |$)`).MatchString(help) {
				t.Errorf("make help does not list %s:\n%s", target, help)
			}
		}
	}
	if !strings.Contains(help, db) {
		t.Errorf("make help does not name $(STORAGE_PATH) %s:\n%s", db, help)
	}

	// A new database: every file pending, which is not a make error.
	out, err = runMake(t, repo, db, "migrate-status")
	if err != nil || !strings.Contains(out, "Migration Status: PENDING") || strings.Contains(out, "Error") || strings.Contains(out, "exit status") {
		t.Fatalf("make migrate-status on a new database: %v\n%s", err, out)
	}
	if out, err = runMake(t, repo, db, "migrate"); err != nil {
		t.Fatalf("make migrate: %v\n%s", err, out)
	}
	out, err = runMake(t, repo, db, "migrate-status")
	if err != nil || !strings.Contains(out, "Migration Status: OK") || strings.Contains(out, "Error") {
		t.Fatalf("make migrate-status after make migrate: %v\n%s", err, out)
	}

	// Database drift (a table made by hand) fails, with status's code 4.
	conn, err := sqlitedb.OpenFile(db, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec("CREATE TABLE audit (id integer)")
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err = runMake(t, repo, db, "migrate-status")
	if err == nil || !strings.Contains(out, "DROP TABLE `audit`") || !strings.Contains(out, "] Error 4") {
		t.Fatalf("make migrate-status on a drifted database: %v\n%s", err, out)
	}
	// status itself failing (the path is a directory): make fails too.
	out, err = runMake(t, repo, t.TempDir(), "migrate-status")
	if err == nil || !strings.Contains(out, "is a directory") || !strings.Contains(out, "] Error 1") {
		t.Fatalf("make migrate-status on a directory: %v\n%s", err, out)
	}
}

// runMake runs make in dir with STORAGE_PATH=db, outside any enclosing make
// (make test runs this test), and returns stdout and stderr together.
func runMake(t *testing.T, dir, db string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "STORAGE_PATH":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "STORAGE_PATH="+db)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

// copyRepo copies the source tree (not .git, binaries or local databases)
// to a temporary directory, so make runs on its own copy.
func copyRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	skip := map[string]bool{".git": true, "bin": true, "storage": true, filepath.Join("bench", "out"): true, filepath.Join("internal", "evolve", "_gen"): true}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skip[path] {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, path)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
