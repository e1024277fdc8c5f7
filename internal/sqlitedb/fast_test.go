package sqlitedb

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"
)

type recorder struct {
	schema.ExecQuerier
	queries []string
}

func (r *recorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.queries = append(r.queries, q)
	return r.ExecQuerier.QueryContext(ctx, q, args...)
}

// Driver's inspector sees exactly what Atlas's sees, and the slow index
// query is really rewritten (if Atlas changes its text, this fails rather
// than the speed-up silently going away).
func TestDriverInspectsLikeAtlas(t *testing.T) {
	ctx := context.Background()
	db, err := OpenMemory("fast")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []string{
		"CREATE TABLE `t` (`id` integer NOT NULL, `a` text, `b` text, `c` integer, PRIMARY KEY (`id`), CONSTRAINT `uq` UNIQUE (`a`))",
		"CREATE UNIQUE INDEX `t_b` ON `t` (`b`)",
		"CREATE INDEX `t_bc` ON `t` (`b`, `c` DESC) WHERE `c` > 0",
		"CREATE TABLE `u` (`x` text, `y` integer REFERENCES `t` (`id`) ON DELETE CASCADE)",
		"CREATE INDEX `u_x` ON `u` (`x`)",
		"CREATE TABLE `plain` (`z` text)",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	atlas, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	want, err := atlas.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{ExecQuerier: db}
	fast, err := sqlite.Open(fastInspect{rec})
	if err != nil {
		t.Fatal(err)
	}
	got, err := fast.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rewritten := 0
	for _, q := range rec.queries {
		if strings.Contains(q, "pragma_index_list") {
			if !strings.Contains(q, "CROSS JOIN") {
				t.Errorf("index query not rewritten: %s", q)
			}
			rewritten++
		}
	}
	if rewritten != 3 {
		t.Errorf("rewrote %d index queries, want one per table (3)", rewritten)
	}
	changes, err := atlas.SchemaDiff(want, got)
	if err != nil || len(changes) > 0 {
		t.Fatalf("inspections differ: %v %v", changes, err)
	}
	for _, tw := range want.Tables {
		tg, _ := got.Table(tw.Name)
		if len(tg.Indexes) != len(tw.Indexes) {
			t.Fatalf("%s: %d indexes, want %d", tw.Name, len(tg.Indexes), len(tw.Indexes))
		}
		for i := range tw.Indexes {
			if a, b := tw.Indexes[i], tg.Indexes[i]; a.Name != b.Name || a.Unique != b.Unique || !reflect.DeepEqual(a.Attrs, b.Attrs) {
				t.Errorf("%s: index %d: %+v, want %+v", tw.Name, i, b, a)
			}
		}
	}
}
