package engine

import (
	"slices"
	"testing"

	"ariga.io/atlas/sql/schema"
)

func enumSchema(name string, values ...string) *schema.Schema {
	e := &schema.EnumType{T: name, Values: values}
	t := schema.NewTable("t").AddColumns(schema.NewColumn("m").SetType(e))
	return schema.New("public").AddTables(t).AddObjects(e)
}

func TestEnumDrift(t *testing.T) {
	for _, c := range []struct {
		name     string
		from, to []string
		want     []string
	}{
		{"same", []string{"a", "b"}, []string{"a", "b"}, nil},
		{"added at the end", []string{"a"}, []string{"a", "b"}, []string{`ALTER TYPE "mood" ADD VALUE 'b' AFTER 'a'`}},
		{"added first", []string{"b"}, []string{"a", "b"}, []string{`ALTER TYPE "mood" ADD VALUE 'a' BEFORE 'b'`}},
		{"two added", []string{"b"}, []string{"a", "b", "c"}, []string{`ALTER TYPE "mood" ADD VALUE 'a' BEFORE 'b'`, `ALTER TYPE "mood" ADD VALUE 'c' AFTER 'b'`}},
		{"quote", []string{"a"}, []string{"a", "it's"}, []string{`ALTER TYPE "mood" ADD VALUE 'it''s' AFTER 'a'`}},
		{"extra label", []string{"a", "b", "x"}, []string{"a", "b"}, []string{`-- the enum type "mood" has the labels ('a', 'b', 'x') where it should have ('a', 'b'): PostgreSQL cannot drop or reorder labels; recreate the type`}},
		{"reordered", []string{"b", "a"}, []string{"a", "b"}, []string{`-- the enum type "mood" has the labels ('b', 'a') where it should have ('a', 'b'): PostgreSQL cannot drop or reorder labels; recreate the type`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := enumDrift(enumSchema("mood", c.from...), enumSchema("mood", c.to...))
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
	// A type only one side has is Atlas's diff's to report (a column's type).
	if got := enumDrift(enumSchema("mood", "a"), enumSchema("other", "a")); got != nil {
		t.Errorf("different types: %q", got)
	}
	// Names are SQL identifiers: a double quote doubled, a backslash or a
	// newline kept as it is (not Go's escapes).
	for name, want := range map[string]string{
		`a"b`:  `ALTER TYPE "a""b" ADD VALUE 'y' AFTER 'x'`,
		`a\b`:  `ALTER TYPE "a\b" ADD VALUE 'y' AFTER 'x'`,
		"é\tb": "ALTER TYPE \"é\tb\" ADD VALUE 'y' AFTER 'x'",
	} {
		got := enumDrift(enumSchema(name, "x"), enumSchema(name, "x", "y"))
		if len(got) != 1 || got[0] != want {
			t.Errorf("type %q: got %q, want %q", name, got, want)
		}
	}
}
