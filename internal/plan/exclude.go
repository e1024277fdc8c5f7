package plan

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/objects"
)

// Exclude removes from s the tables that the glob patterns match, as the
// Atlas CLI does with an env's `exclude` when it inspects a database.
func Exclude(s *schema.Schema, patterns []string) error {
	if len(patterns) == 0 || s == nil {
		return nil
	}
	if s.Realm == nil {
		schema.NewRealm(s)
	}
	before := make([]string, len(s.Tables))
	for i, t := range s.Tables {
		before[i] = t.Name
	}
	if _, err := schema.ExcludeSchema(s, patterns); err != nil {
		return err
	}
	// The triggers on an excluded table go with it (an audit table's own
	// triggers are no model's either).
	if objs := objects.Of(s); len(objs) > 0 {
		var keep []objects.Object
		for _, o := range objs {
			if o.Type == "trigger" && containsFold(before, o.Table) && !hasTable(s, o.Table) {
				continue
			}
			keep = append(keep, o)
		}
		objects.Attach(s, keep)
	}
	return nil
}

func hasTable(s *schema.Schema, name string) bool {
	for _, t := range s.Tables {
		if strings.EqualFold(t.Name, name) {
			return true
		}
	}
	return false
}

// ExcludedOwnedError refuses an exclude pattern that matches a table the
// structs define: its changes would never be generated.
type ExcludedOwnedError struct{ Pattern, Table string }

func (e *ExcludedOwnedError) Error() string {
	return fmt.Sprintf("exclude pattern %q matches table %q, which the structs define: exclude is for tables no model owns", e.Pattern, e.Table)
}

// selector is Atlas's type selector suffix, e.g. "audit_*[type=table]".
var selector = regexp.MustCompile(`\[type=[a-z|]+\]$`)

// CheckExclude refuses patterns that match a table of the desired schema
// (the structs).
func CheckExclude(desired *schema.Schema, patterns []string) error {
	for _, p := range patterns {
		glob := selector.ReplaceAllString(p, "")
		for _, t := range desired.Tables {
			if ok, _ := filepath.Match(glob, t.Name); ok {
				return &ExcludedOwnedError{Pattern: p, Table: t.Name}
			}
		}
	}
	return nil
}
