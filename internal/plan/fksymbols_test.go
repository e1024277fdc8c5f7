package plan

import (
	"context"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// inspectDDL runs ddl on a fresh dev database and returns its schema.
func inspectDDL(t *testing.T, ddl string) (*schema.Schema, *sqlitedb.Dev) {
	t.Helper()
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	if _, err := dev.DB.Exec(ddl); err != nil {
		t.Fatal(err)
	}
	s, err := dev.Driver.InspectSchema(context.Background(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, dev
}

// A foreign key whose only difference is its name is no change (SQLite never
// uses the name); one on other columns still is.
func TestDiffIgnoresForeignKeyNames(t *testing.T) {
	const parent = "CREATE TABLE p (id integer PRIMARY KEY, o integer UNIQUE);"
	cases := []struct {
		name, from, to string
		changes        bool
	}{
		{"renamed", "CREATE TABLE c (id integer PRIMARY KEY, pid integer, CONSTRAINT fk_old FOREIGN KEY (pid) REFERENCES p (id));",
			"CREATE TABLE c (id integer PRIMARY KEY, pid integer, CONSTRAINT fk_new FOREIGN KEY (pid) REFERENCES p (id));", false},
		{"other columns", "CREATE TABLE c (id integer PRIMARY KEY, pid integer, q integer, CONSTRAINT fk_old FOREIGN KEY (pid) REFERENCES p (id));",
			"CREATE TABLE c (id integer PRIMARY KEY, pid integer, q integer, CONSTRAINT fk_new FOREIGN KEY (q) REFERENCES p (id));", true},
		{"other action", "CREATE TABLE c (id integer PRIMARY KEY, pid integer, CONSTRAINT fk_old FOREIGN KEY (pid) REFERENCES p (id));",
			"CREATE TABLE c (id integer PRIMARY KEY, pid integer, CONSTRAINT fk_new FOREIGN KEY (pid) REFERENCES p (id) ON DELETE CASCADE);", true},
		{"one of two keys on the same columns dropped", "CREATE TABLE c (id integer PRIMARY KEY, pid integer, CONSTRAINT fk_a FOREIGN KEY (pid) REFERENCES p (id), CONSTRAINT fk_b FOREIGN KEY (pid) REFERENCES p (o));",
			"CREATE TABLE c (id integer PRIMARY KEY, pid integer, CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES p (o));", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, dev := inspectDDL(t, parent+c.from)
			to, _ := inspectDDL(t, parent+c.to)
			changes, err := Diff(dev.Driver, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(changes) > 0; got != c.changes {
				t.Fatalf("changes = %v, want changes: %v", changes, c.changes)
			}
		})
	}
}
