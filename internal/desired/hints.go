package desired

import (
	"fmt"
	"strings"
	"sync"

	gschema "gorm.io/gorm/schema"
)

// TagName is the struct tag structmigrate reads, next to GORM's:
//
//	Nick string `gorm:"column:nick" structmigrate:"renamed_from:nickname"`
//	ID   string `gorm:"primaryKey" structmigrate:"table_renamed_from:people"`
//
// renamed_from names the field's previous column; table_renamed_from (on any
// field) the model's previous table. diff then renames instead of dropping
// and adding, which would lose the data.
const TagName = "structmigrate"

// Renames are the renames the models state.
type Renames struct {
	Tables  map[string]string            // new table → previous name
	Columns map[string]map[string]string // table → new column → previous name
}

// Hints parses the structmigrate tags of models, with the options' naming
// strategy (the tables and columns the renames name).
func (o Options) Hints(models ...any) (*Renames, error) {
	r := &Renames{Tables: map[string]string{}, Columns: map[string]map[string]string{}}
	cache := &sync.Map{}
	for _, m := range models {
		s, err := gschema.Parse(m, cache, o.namer())
		if err != nil {
			return nil, fmt.Errorf("desired: parse %T: %w", m, err)
		}
		for _, f := range s.Fields {
			tag, ok := f.Tag.Lookup(TagName)
			if !ok {
				continue
			}
			for _, opt := range strings.Split(tag, ";") {
				key, val, _ := strings.Cut(strings.TrimSpace(opt), ":")
				key, val = strings.TrimSpace(key), strings.TrimSpace(val)
				switch {
				case key == "":
				case val == "":
					return nil, fmt.Errorf("%s.%s: tag %s:%q: %s needs a value", s.Name, f.Name, TagName, tag, key)
				case key == "renamed_from":
					if f.DBName == "" {
						return nil, fmt.Errorf("%s.%s: renamed_from on a field without a column", s.Name, f.Name)
					}
					if r.Columns[s.Table] == nil {
						r.Columns[s.Table] = map[string]string{}
					}
					r.Columns[s.Table][f.DBName] = val
				case key == "table_renamed_from":
					r.Tables[s.Table] = val
				default:
					return nil, fmt.Errorf("%s.%s: unknown option %q in tag %s:%q (want renamed_from or table_renamed_from)", s.Name, f.Name, key, TagName, tag)
				}
			}
		}
	}
	return r, nil
}
