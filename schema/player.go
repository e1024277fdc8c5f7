// Package schema holds the GORM models whose tables structmigrate manages.
// They are the single source of truth: edit a struct, then run
// `make migrate-diff name=...` to generate the migration that gets there.
package schema

// Player is a member of the squad. Column names are camelCase, as the app's
// JSON, so every field names its column explicitly.
type Player struct {
	ID           string `json:"id" gorm:"column:id;primaryKey"` // UUID
	FirstName    string `json:"firstName" gorm:"column:firstName"`
	MiddleName   string `json:"middleName" gorm:"column:middleName"`
	LastName     string `json:"lastName" gorm:"column:lastName"`
	DateOfBirth  string `json:"dateOfBirth" gorm:"column:dateOfBirth"`
	SquadNumber  int    `json:"squadNumber" gorm:"column:squadNumber;uniqueIndex"`
	Position     string `json:"position" gorm:"column:position"`
	AbbrPosition string `json:"abbrPosition" gorm:"column:abbrPosition"`
	Team         string `json:"team" gorm:"column:team"`
	League       string `json:"league" gorm:"column:league"`
	Starting11   bool   `json:"starting11" gorm:"column:starting11"`
}
