package schema

import "gorm.io/gorm"

// Models lists every model to migrate. Adding a model here is all it takes
// for `structmigrate diff` to include its table.
func Models() []any {
	return []any{
		&Player{},
	}
}

// GormConfig is the GORM config the app opens its database with; the
// desired schema is built with it too (naming strategy, foreign keys,
// relationships: docs/models.md, "GORM config"). Its Logger is ignored.
func GormConfig() *gorm.Config {
	return &gorm.Config{}
}
