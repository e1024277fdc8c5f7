package erd

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// inspect runs ddl on a fresh SQLite database and returns its schema as
// every command gets it (Atlas's inspection, views attached).
func inspect(t testing.TB, ddl ...string) *schema.Schema {
	t.Helper()
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	for _, q := range ddl {
		if _, err := dev.DB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s, err := objects.Inspect(context.Background(), dev.Driver, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// shop is a small schema with every kind of mark: a composite primary
// key, a unique column, NOT NULL, a nullable and a required foreign key,
// a self-reference and a view.
var shop = []string{
	"CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE, referrerId integer REFERENCES customers(id))",
	"CREATE TABLE orders (id integer PRIMARY KEY, customerId integer NOT NULL REFERENCES customers(id), note varchar(200), total decimal(10,2))",
	"CREATE TABLE order_items (orderId integer NOT NULL REFERENCES orders(id), line integer NOT NULL, PRIMARY KEY (orderId, line))",
	"CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100",
}

func TestMermaidMarks(t *testing.T) {
	out, err := Render(inspect(t, shop...), Mermaid, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    customers {\n        integer id PK\n        text email UK \"NOT NULL\"\n        integer referrerId FK\n    }\n",
		// decimal(10,2): the comma is not a Mermaid attribute character.
		"        decimal total \"type: decimal(10,2)\"\n",
		"        varchar(200) note\n",
		"        integer orderId PK, FK \"NOT NULL\"\n",
		"    big_orders {\n        view query \"view: SELECT * FROM orders WHERE total > 100\"\n",
		"    orders }o--|| customers : \"customerId\"\n",
		"    customers }o--o| customers : \"referrerId\"\n",
		"    order_items }o--|| orders : \"orderId\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

// TestMermaidOddNames: names Mermaid cannot take bare are quoted (tables)
// or mapped with the real name in the comment (columns), and a keyword is
// never written where the lexer would read it as one.
func TestMermaidOddNames(t *testing.T) {
	s := inspect(t,
		"CREATE TABLE `order items` (`pk` integer PRIMARY KEY, `unit-price` real, `2nd` text, `naïve` text)",
		"CREATE TABLE `one` (id integer PRIMARY KEY, `x` integer REFERENCES `order items`(`pk`))",
		"CREATE TABLE `a\"b%c` (id integer)",
		"CREATE TABLE `a_b_c` (id integer)",
	)
	out, err := Render(s, Mermaid, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    \"order items\" {\n        integer _pk PK \"column: pk\"\n        real unit_price \"column: unit-price\"\n        text _2nd \"column: 2nd\"\n        text na_ve \"column: naïve\"\n",
		"    \"one\" {\n",
		"    a_b_c {\n",       // the real a_b_c keeps its name
		"    \"a_b_c_2\" {\n", // a"b%c, mapped to a_b_c, made unique
		"    \"one\" }o--o| \"order items\" : \"x\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestDiffPicture(t *testing.T) {
	before := inspect(t,
		"CREATE TABLE players (id integer PRIMARY KEY, name text, nick text)",
		"CREATE TABLE old_stats (id integer PRIMARY KEY, playerId integer REFERENCES players(id))",
	)
	after := inspect(t,
		"CREATE TABLE players (id integer PRIMARY KEY, name text NOT NULL, team text)",
		"CREATE TABLE goals (id integer PRIMARY KEY, playerId integer NOT NULL REFERENCES players(id))",
	)
	out, err := Render(after, Mermaid, Options{Before: before})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    %% players: changed\n    players {\n        integer id PK\n        text name \"changed, NOT NULL\"\n        text team \"added\"\n        text nick \"dropped\"\n    }\n",
		"    %% goals: added\n    goals {\n        integer id PK \"added\"\n",
		"    %% old_stats: dropped\n    old_stats {\n        integer id PK \"dropped\"\n",
		"    goals }o--|| players : \"playerId (added)\"\n",
		"    old_stats }o--o| players : \"playerId (dropped)\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	same, err := Render(after, Mermaid, Options{Before: after})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(same, "added") || strings.Contains(same, "dropped") || strings.Contains(same, "changed") {
		t.Errorf("no change, yet marks:\n%s", same)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := Render(inspect(t), "png", Options{}); err == nil || !strings.Contains(err.Error(), `"png"`) {
		t.Fatalf("want an error naming the format, got %v", err)
	}
}

// randomSchema builds a schema of n tables with names from a generator
// that favours what Mermaid and dot cannot take bare, on real SQLite.
func randomSchema(t testing.TB, r *rand.Rand, n int) *schema.Schema {
	var ddl []string
	var tables, ids []string
	for i := 0; i < n; i++ {
		name := oddName(r, fmt.Sprintf("t%d", i))
		var cols []string
		id := oddName(r, "id")
		cols = append(cols, ident.Quote(id)+" integer PRIMARY KEY")
		for j := 0; j < 1+r.Intn(4); j++ {
			col := ident.Quote(oddName(r, fmt.Sprintf("c%d", j))) + " " + oddType(r)
			if r.Intn(3) == 0 {
				col += " NOT NULL"
			}
			if r.Intn(4) == 0 {
				col += " UNIQUE"
			}
			if len(tables) > 0 && r.Intn(3) == 0 {
				p := r.Intn(len(tables))
				col += " REFERENCES " + ident.Quote(tables[p]) + " (" + ident.Quote(ids[p]) + ")"
			}
			cols = append(cols, col)
		}
		ddl = append(ddl, "CREATE TABLE "+ident.Quote(name)+" ("+strings.Join(cols, ", ")+")")
		tables, ids = append(tables, name), append(ids, id)
		if r.Intn(5) == 0 {
			ddl = append(ddl, "CREATE VIEW "+ident.Quote(oddName(r, fmt.Sprintf("v%d", i)))+" AS SELECT * FROM "+ident.Quote(name)+" WHERE 1 = '\"%'")
		}
	}
	return inspect(t, ddl...)
}

var pieces = []string{"a", "Z", "_", "9", " ", "-", "\"", "'", "%", "\\", "`", "é", "表", "[", "]", "(", ")", "{", "}", "|", "<", ">",
	":", ";", ",", ".", "#", "*", "~", "pk", "FK", "uk", "one", "to", "style", "end", "many", "zero", "or", "u", "1", "--", "||", "}o", "%%"}

// oddName is a fresh name (a unique suffix keeps SQLite from refusing a
// duplicate) that is odd four times in five.
func oddName(r *rand.Rand, base string) string {
	if r.Intn(5) == 0 {
		return base
	}
	var b strings.Builder
	for k := 0; k < 1+r.Intn(4); k++ {
		b.WriteString(pieces[r.Intn(len(pieces))])
	}
	if strings.HasPrefix(strings.ToLower(b.String()), "sqlite") {
		return base
	}
	return b.String() + "\x60" + base // a backtick keeps it unique and odd
}

func oddType(r *rand.Rand) string {
	types := []string{"integer", "text", "", "varchar(255)", "decimal(10,2)", "unsigned big int", "pk", "datetime", "blob", "\"odd type\"", "numeric(5)"}
	return types[r.Intn(len(types))]
}
