package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	gsqlite "github.com/glebarez/sqlite"
	gpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/schema"
)

// The move docs/postgres.md describes, with the committed histories: the
// SQLite file migrated by migrations/, the PostgreSQL database by
// migrations/postgres, then copy; the app's 25 players, read through GORM
// from each side with the committed struct, are equal field for field.
func TestPostgresCopyPlayers(t *testing.T) {
	u := pgtest.NewDB(t)
	bin, err := exec.LookPath("structmigrate")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "players.db")
	run := func(args ...string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+u)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("structmigrate %v: %v\n%s", args, err, out)
		}
	}
	run("--db", file, "apply")
	// The app changed every row since the seed, so only the copy can
	// make the sides equal.
	db, err := sqlitedb.OpenFile(file, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("UPDATE players SET team = team || ' · ' || squadNumber, starting11 = NOT starting11, dateOfBirth = replace(dateOfBirth, 'T00:00:00.000Z', '')")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	run("--env", "pg", "apply")
	run("--db", file, "copy", "--to-env", "pg")
	read := func(d gorm.Dialector) []schema.Player {
		db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		var ps []schema.Player
		if err := db.Order(`"squadNumber"`).Find(&ps).Error; err != nil {
			t.Fatal(err)
		}
		if s, err := db.DB(); err == nil {
			s.Close()
		}
		return ps
	}
	a, b := read(gsqlite.Open(file)), read(gpostgres.Open(u))
	if len(a) != 25 || len(b) != 25 || a[0].Team != "River Plate · 1" {
		t.Fatalf("players: SQLite %d, PostgreSQL %d, want 25", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("player %d:\nSQLite     %+v\nPostgreSQL %+v", i, a[i], b[i])
		}
	}
}
