package desired_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"ariga.io/atlas/sql/schema"
	atlasqlite "ariga.io/atlas/sql/sqlite"
	gsqlite "github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/testmodels"
)

// byHand is what a GORM app does itself for a set: SetupJoinTable for a
// custom join table (the documented way), then AutoMigrate of the list, on
// a database file opened with the set's config.
func byHand(t *testing.T, set string) *schema.Schema {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gorm.db")
	cfg := gorm.Config{Logger: logger.Discard}
	if c := testmodels.Configs[set]; c != nil {
		cfg = *c
		cfg.Logger = logger.Discard
	}
	gdb, err := gorm.Open(gsqlite.Open(path), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if set == "join-first" || set == "join-last" {
		if err := gdb.SetupJoinTable(&testmodels.Person{}, "Addresses", &testmodels.PersonAddress{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := gdb.AutoMigrate(testmodels.Sets[set]...); err != nil {
		t.Fatal(err)
	}
	sdb, err := gdb.DB()
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	return inspect(t, sdb)
}

// inspect reads db with the Atlas library's own SQLite driver.
func inspect(t *testing.T, db *sql.DB) *schema.Schema {
	t.Helper()
	drv, err := atlasqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	s, err := drv.InspectSchema(context.Background(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The desired state of each set equals what GORM itself creates for it
// with the same config and join table: Atlas finds no change between them,
// whatever the order of the models list.
func TestDesiredEqualsGORM(t *testing.T) {
	ctx := context.Background()
	for _, set := range []string{"cfg-fk", "cfg-nofk", "cfg-naming", "join-last", "join-first"} {
		t.Run(set, func(t *testing.T) {
			want := byHand(t, set)
			got, err := desired.Options{Gorm: testmodels.Configs[set]}.Schema(ctx, testmodels.Sets[set]...)
			if err != nil {
				t.Fatal(err)
			}
			drv, err := atlasqlite.Open(openMemory(t))
			if err != nil {
				t.Fatal(err)
			}
			changes, err := drv.SchemaDiff(got, want)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range changes {
				t.Errorf("desired state differs from GORM's: %T %+v", c, c)
			}
		})
	}
}

func openMemory(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:ref?mode=memory")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The join model's own columns and its foreign keys are both in the
// desired table, in either order of the list (without SetupJoinTable one
// or the other went missing).
func TestJoinTableComplete(t *testing.T) {
	for _, set := range []string{"join-last", "join-first"} {
		t.Run(set, func(t *testing.T) {
			s, err := desired.Schema(context.Background(), testmodels.Sets[set]...)
			if err != nil {
				t.Fatal(err)
			}
			tb, ok := s.Table("person_addresses")
			if !ok {
				t.Fatal("no person_addresses table")
			}
			for _, c := range []string{"person_id", "address_id", "role", "created_at", "deleted_at"} {
				if _, ok := tb.Column(c); !ok {
					t.Errorf("person_addresses has no column %s", c)
				}
			}
			if len(tb.ForeignKeys) != 2 {
				t.Errorf("person_addresses has %d foreign keys, want 2 (people, addresses)", len(tb.ForeignKeys))
			}
			if _, ok := tb.Index("idx_person_addresses_deleted_at"); !ok {
				t.Error("person_addresses has no index on deleted_at")
			}
		})
	}
}

type penWriter struct {
	ID  uint   `gorm:"primaryKey"`
	Pen string `structmigrate:"renamed_from:pen_name"`
}

// Renames name the tables the config's naming strategy gives (a rename
// keyed by the default name would be lost: a drop and an add).
func TestHintsNamingStrategy(t *testing.T) {
	o := desired.Options{Gorm: testmodels.Configs["cfg-naming"]}
	r, err := o.Hints(&penWriter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Columns["app_pen_writer"]["pen"]; got != "pen_name" {
		t.Errorf("renames %v, want app_pen_writer.pen renamed from pen_name", r.Columns)
	}
}

// badJoin takes the join table's name without the relation's keys.
type badJoin struct{ Role string }

func (badJoin) TableName() string { return "person_addresses" }

// A join model without the relation's key fields is refused in one line
// naming the table, the relation and the model.
func TestJoinTableMissingKey(t *testing.T) {
	_, err := desired.Schema(context.Background(), &testmodels.Person{}, &testmodels.Address{}, &badJoin{})
	want := "desired: join table person_addresses of Person.Addresses (*desired_test.badJoin): missing field person_id for join table"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}
