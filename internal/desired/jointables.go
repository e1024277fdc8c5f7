package desired

import (
	"fmt"

	"gorm.io/gorm"
)

// setupJoinTables does what atlas-provider-gorm does for a model of the list
// that is the join table of another model's many2many relation (GORM's
// custom join table): it calls SetupJoinTable(model, field, joinModel), the
// documented way, and returns the list with the join models last. Without
// it the result depends on the list's order: AutoMigrate creates the join
// table from whichever comes first, the relation's generated struct (no
// extra columns) or the join model (no foreign keys).
//
// Unlike the provider, it matches join tables by their table name (a
// TablePrefix applies to it) and orders by every many2many relation of a
// model, not only its first.
func setupJoinTables(gdb *gorm.DB, models []any) ([]any, error) {
	byTable := map[string]int{} // table → index in models (a model may not be comparable)
	for i, m := range models {
		stmt := &gorm.Statement{DB: gdb}
		if err := stmt.Parse(m); err != nil {
			return nil, fmt.Errorf("parse %T: %w", m, err)
		}
		byTable[stmt.Schema.Table] = i
	}
	join := map[int]bool{}
	for _, m := range models {
		stmt := &gorm.Statement{DB: gdb}
		if err := stmt.Parse(m); err != nil {
			return nil, fmt.Errorf("parse %T: %w", m, err)
		}
		for _, rel := range stmt.Schema.Relationships.Many2Many {
			if rel.Field.IgnoreMigration || rel.JoinTable == nil {
				continue
			}
			j, ok := byTable[rel.JoinTable.Table]
			if !ok {
				continue
			}
			jm := models[j]
			if err := gdb.SetupJoinTable(m, rel.Field.Name, jm); err != nil {
				return nil, fmt.Errorf("join table %s of %s.%s (%T): %w", rel.JoinTable.Table, stmt.Schema.Name, rel.Field.Name, jm, err)
			}
			join[j] = true
		}
	}
	ordered := make([]any, 0, len(models))
	for i, m := range models {
		if !join[i] {
			ordered = append(ordered, m)
		}
	}
	for i, m := range models {
		if join[i] {
			ordered = append(ordered, m)
		}
	}
	return ordered, nil
}
