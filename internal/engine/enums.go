package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/structmigrate/structmigrate/internal/ident"

	"ariga.io/atlas/sql/schema"
)

// enumDrift is what Atlas's diff leaves out on PostgreSQL: an enum type of
// the same name on both sides whose labels differ (its diff compares an
// enum column by the type's name only). Labels that from lacks are added
// where to has them; labels from has that to lacks, or in another order,
// cannot be undone in place (PostgreSQL neither drops nor moves a label),
// and are said in a comment.
func enumDrift(from, to *schema.Schema) []string {
	have, wants := enums(from), enums(to)
	var out []string
	for _, name := range slices.Sorted(maps.Keys(wants)) {
		want := wants[name]
		got, ok := have[name]
		if !ok || slices.Equal(got.Values, want.Values) {
			continue
		}
		if !isSubsequence(got.Values, want.Values) {
			out = append(out, fmt.Sprintf("-- the enum type %s has the labels (%s) where it should have (%s): PostgreSQL cannot drop or reorder labels; recreate the type",
				ident.QuotePG(name), labels(got.Values), labels(want.Values)))
			continue
		}
		present := map[string]bool{}
		for _, v := range got.Values {
			present[v] = true
		}
		for i, v := range want.Values {
			if present[v] {
				continue
			}
			where := ""
			switch {
			case i > 0:
				where = " AFTER " + label(want.Values[i-1])
			case len(want.Values) > 1:
				where = " BEFORE " + label(want.Values[1])
			}
			out = append(out, fmt.Sprintf("ALTER TYPE %s ADD VALUE %s%s", ident.QuotePG(name), label(v), where))
			present[v] = true
		}
	}
	return out
}

// enums are the enum types of s's columns (and objects), by name.
func enums(s *schema.Schema) map[string]*schema.EnumType {
	out := map[string]*schema.EnumType{}
	for _, o := range s.Objects {
		if e, ok := o.(*schema.EnumType); ok {
			out[e.T] = e
		}
	}
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			if c.Type == nil {
				continue
			}
			if e, ok := c.Type.Type.(*schema.EnumType); ok {
				if _, seen := out[e.T]; !seen {
					out[e.T] = e
				}
			}
		}
	}
	return out
}

// isSubsequence reports whether a's labels appear in b in a's order.
func isSubsequence(a, b []string) bool {
	i := 0
	for _, v := range b {
		if i < len(a) && a[i] == v {
			i++
		}
	}
	return i == len(a)
}

func label(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

func labels(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = label(v)
	}
	return strings.Join(q, ", ")
}
