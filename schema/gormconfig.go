package schema

import "gorm.io/gorm"

// GormConfig is the GORM config the app opens its database with (its own
// file, so a team that replaces the sample models keeps it); the
// desired schema is built with it too (naming strategy, foreign keys,
// relationships: docs/models.md, "GORM config"). Its Logger is ignored.
func GormConfig() *gorm.Config {
	return &gorm.Config{}
}
