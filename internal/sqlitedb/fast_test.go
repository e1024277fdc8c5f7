package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
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
	fast, err := sqlite.Open(&fastInspect{ExecQuerier: rec})
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
			if !strings.Contains(q, "ORDER BY m.ord") && !strings.Contains(q, "WHERE 0") {
				t.Errorf("index query not rewritten: %s", q)
			}
			rewritten++
		}
	}
	if rewritten != 3 {
		t.Errorf("rewrote %d index queries, want one per table (3)", rewritten)
	}
	// Compared as rendered, not with SchemaDiff: Atlas's own diff of two
	// identical inspections with an inline UNIQUE is not empty.
	if w, g := render(want), render(got); w != g {
		t.Fatalf("inspections differ:\n%s\nwant:\n%s", g, w)
	}
	// The same driver sees a schema change (the cache follows schema_version).
	if _, err := db.Exec("CREATE INDEX `plain_z` ON `plain` (`z`); DROP INDEX `t_b`"); err != nil {
		t.Fatal(err)
	}
	if want, err = atlas.InspectSchema(ctx, "", nil); err != nil {
		t.Fatal(err)
	}
	if got, err = fast.InspectSchema(ctx, "", nil); err != nil {
		t.Fatal(err)
	}
	if w, g := render(want), render(got); w != g || !strings.Contains(g, "plain_z") || strings.Contains(g, "t_b ") {
		t.Fatalf("after a schema change, inspections differ:\n%s\nwant:\n%s", g, w)
	}
}

// render prints every table, column, index (in order, with its attributes)
// and foreign key of s.
func render(s *schema.Schema) string {
	var b strings.Builder
	for _, t := range s.Tables {
		fmt.Fprintf(&b, "table %s\n", t.Name)
		for _, c := range t.Columns {
			fmt.Fprintf(&b, "  column %s %T %v default=%v\n", c.Name, c.Type.Type, c.Type.Null, c.Default)
		}
		for _, i := range t.Indexes {
			fmt.Fprintf(&b, "  index %s unique=%v", i.Name, i.Unique)
			for _, p := range i.Parts {
				if p.C != nil {
					fmt.Fprintf(&b, " %s desc=%v", p.C.Name, p.Desc)
				}
			}
			for _, a := range i.Attrs {
				fmt.Fprintf(&b, " %+v", reflect.Indirect(reflect.ValueOf(a)).Interface())
			}
			b.WriteString("\n")
		}
		for _, fk := range t.ForeignKeys {
			fmt.Fprintf(&b, "  fk %s %s→%s %s\n", fk.Symbol, fk.Columns[0].Name, fk.RefTable.Name, fk.OnDelete)
		}
	}
	return b.String()
}

// Atlas formats table and index names into its inspector queries without
// doubling a quote: Driver binds them instead, so names with quotes inspect
// exactly and a name holding SQL does not run it. If Atlas changes a
// query's text, the rewrite stops matching and this fails.
func TestDriverInspectsNamesWithQuotes(t *testing.T) {
	ctx := context.Background()
	db, err := OpenMemory("quotes")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const (
		evil  = "x'); DELETE FROM victim; --"
		quote = "it's"
	)
	for _, s := range []string{
		"CREATE TABLE victim (id integer PRIMARY KEY)",
		"INSERT INTO victim VALUES (1), (2)",
		"CREATE TABLE `" + quote + "` (`id` integer PRIMARY KEY, `o'k` text)",
		"CREATE INDEX `" + quote + " idx` ON `" + quote + "` (`o'k`)",
		"CREATE TABLE `" + evil + "` (`a` integer REFERENCES `" + quote + "` (`id`), `b` text)",
		"CREATE INDEX `" + evil + " idx` ON `" + evil + "` (`b`)",
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{ExecQuerier: db}
	drv, err := sqlite.Open(&fastInspect{ExecQuerier: rec})
	if err != nil {
		t.Fatal(err)
	}
	s, err := drv.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM victim").Scan(&n); err != nil || n != 2 {
		t.Fatalf("victim has %d rows (%v) after inspection, want 2", n, err)
	}
	for _, q := range rec.queries {
		if strings.Contains(q, "pragma_") && strings.Contains(q, "('") {
			t.Errorf("a name was formatted into a query: %s", q)
		}
	}
	got := render(s)
	for _, want := range []string{
		"table " + quote + "\n  column id ", "  column o'k ", "  index " + quote + " idx unique=false o'k ",
		"table " + evil + "\n  column a ", "  index " + evil + " idx unique=false b ", " a→" + quote + " NO ACTION",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("inspection lacks %q:\n%s", want, got)
		}
	}
}
