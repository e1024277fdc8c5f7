package plan

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/schema"
)

// Exclude removes from s the tables (TABLE) and columns (TABLE.COLUMN) that
// the patterns match, as the Atlas CLI does with an env's `exclude` when it
// inspects a database: globs, relative to the schema.
func Exclude(s *schema.Schema, patterns []string) error {
	if len(patterns) == 0 || s == nil {
		return nil
	}
	if s.Realm == nil {
		schema.NewRealm(s)
	}
	_, err := schema.ExcludeSchema(s, patterns)
	return err
}

// ExcludedOwnedError refuses an exclude pattern that matches a table or
// column the structs define: its changes would never be generated.
type ExcludedOwnedError struct {
	Pattern, Table, Column string
}

func (e *ExcludedOwnedError) Error() string {
	what := fmt.Sprintf("table %q", e.Table)
	if e.Column != "" {
		what = fmt.Sprintf("column %q.%q", e.Table, e.Column)
	}
	return fmt.Sprintf("exclude pattern %q matches %s, which the structs define: exclude is for tables no model owns", e.Pattern, what)
}

// selector is Atlas's type selector suffix, e.g. "audit_*[type=table]".
var selector = regexp.MustCompile(`\[type=[a-z|]+\]$`)

// CheckExclude refuses patterns that match what the desired schema (the
// structs) defines.
func CheckExclude(desired *schema.Schema, patterns []string) error {
	for _, p := range patterns {
		tp, cp, hasCol := strings.Cut(p, ".")
		tp, cp = selector.ReplaceAllString(tp, ""), selector.ReplaceAllString(cp, "")
		for _, t := range desired.Tables {
			if ok, _ := filepath.Match(tp, t.Name); !ok {
				continue
			}
			if !hasCol {
				return &ExcludedOwnedError{Pattern: p, Table: t.Name}
			}
			for _, c := range t.Columns {
				if ok, _ := filepath.Match(cp, c.Name); ok {
					return &ExcludedOwnedError{Pattern: p, Table: t.Name, Column: c.Name}
				}
			}
		}
	}
	return nil
}
