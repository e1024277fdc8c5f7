package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	gsqlite "github.com/glebarez/sqlite"
	gpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/pgtest"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/schema"
)

// The move docs/postgres.md describes, with the committed histories: the
// SQLite file migrated by migrations/, the PostgreSQL database by
// migrations/postgres, then copy; the app's 25 players, read through GORM
// from each side with the committed structs, are equal field for field.
// The structs are read through schema.Models(), not by name: a team that
// replaced the sample still compiles this test (which then skips).
func TestPostgresCopyPlayers(t *testing.T) {
	skipWithoutSample(t)
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
	// Every model's rows, in primary-key order, as GORM reads them.
	read := func(d gorm.Dialector) []any {
		db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		}()
		var all []any
		for _, m := range schema.Models() {
			rows := reflect.New(reflect.SliceOf(reflect.TypeOf(m))).Interface()
			if err := db.Order(clause.OrderByColumn{Column: clause.Column{Table: clause.CurrentTable, Name: clause.PrimaryKey}}).Find(rows).Error; err != nil {
				t.Fatal(err)
			}
			all = append(all, reflect.ValueOf(rows).Elem().Interface())
		}
		return all
	}
	a, b := read(gsqlite.Open(file)), read(gpostgres.Open(u))
	for i := range a {
		if n := reflect.ValueOf(a[i]).Len(); n == 0 || n != reflect.ValueOf(b[i]).Len() {
			t.Fatalf("%T: SQLite %d rows, PostgreSQL %d", a[i], n, reflect.ValueOf(b[i]).Len())
		}
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("%T differs:\nSQLite     %+v\nPostgreSQL %+v", a[i], a[i], b[i])
		}
	}
	// The copy, not the seed, made them equal.
	pg, err := gorm.Open(gpostgres.Open(u), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	var team string
	if err := pg.Raw(`SELECT team FROM players ORDER BY "squadNumber" LIMIT 1`).Scan(&team).Error; err != nil || team != "River Plate · 1" {
		t.Fatalf("first player's team on PostgreSQL: %q, %v; want the SQLite edit", team, err)
	}
	if s, err := pg.DB(); err == nil {
		s.Close()
	}
}
