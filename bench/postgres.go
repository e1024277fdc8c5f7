package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/structmigrate/structmigrate/internal/pgtest"
)

// pgScenario labels the rows measured on PostgreSQL and their SQLite
// counterparts: the repository binary (its embedded atlas.hcl, models and
// histories), the same commands on each database.
const (
	pgScenario     = "repository binary, PostgreSQL"
	sqliteScenario = "repository binary, SQLite"
	applyFresh     = "apply (2 files, empty database)"
)

// postgres measures diff --check and apply on a PostgreSQL server beside
// the same commands on SQLite: a throwaway cluster as internal/pgtest
// starts it (or $STRUCTMIGRATE_TEST_POSTGRES); skipped, with the reason
// in the report, when there is none.
func (b *bench) postgres() error {
	admin, skip, err := pgtest.Server()
	defer pgtest.Stop()
	switch {
	case err != nil:
		return fmt.Errorf("PostgreSQL server: %w", err)
	case skip != "":
		b.notes = append(b.notes, "PostgreSQL rows skipped: "+skip+".")
		b.logf("PostgreSQL rows skipped: %s", skip)
		return nil
	}
	dir := filepath.Join(b.out, "repo-pg")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	bin := filepath.Join(b.out, "structmigrate")
	var made []string
	defer func() { // on a server of $STRUCTMIGRATE_TEST_POSTGRES, leave nothing
		for _, name := range made {
			if err := pgtest.DropDB(admin, name); err != nil {
				b.logf("drop %s: %v", name, err)
			}
		}
	}()
	fresh := func() (string, error) { // a new empty database
		name := fmt.Sprintf("bench_%d_%d", os.Getpid(), len(made))
		made = append(made, name)
		return pgtest.CreateDB(admin, name)
	}
	pg := func(u string, args ...string) func() *exec.Cmd {
		return func() *exec.Cmd {
			c := command(dir, bin, append([]string{"--env", "pg"}, args...)...)
			c.Env = append(os.Environ(), "DATABASE_URL="+u)
			return c
		}
	}
	// diff --check replays the history on a temporary dev database that it
	// creates on the server and drops: part of what is measured.
	u, err := fresh()
	if err != nil {
		return err
	}
	if _, err := b.measure(spec{scenario: pgScenario, command: diffNoChange, runs: b.runs, wantExit: 0, warmup: true, cmd: pg(u, "diff", "--check")}); err != nil {
		return err
	}
	var target string
	if _, err := b.measure(spec{
		scenario: pgScenario, command: applyFresh, runs: b.runs, wantExit: 0, warmup: true,
		setup: func() (err error) { target, err = fresh(); return err },
		cmd:   func() *exec.Cmd { return pg(target, "apply")() },
	}); err != nil {
		return err
	}
	db := filepath.Join(dir, "sqlite.db")
	if _, err := b.measure(spec{scenario: sqliteScenario, command: diffNoChange, runs: b.runs, wantExit: 0, warmup: true,
		cmd: func() *exec.Cmd { return command(dir, bin, "--db", db, "diff", "--check") }}); err != nil {
		return err
	}
	_, err = b.measure(spec{
		scenario: sqliteScenario, command: applyFresh, runs: b.runs, wantExit: 0, warmup: true,
		setup: func() error { return removeDB(db) },
		cmd:   func() *exec.Cmd { return command(dir, bin, "--db", db, "apply") },
	})
	return err
}

func removeDB(db string) error {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
