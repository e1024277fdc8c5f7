// Package testmodels holds models for the CLI tests, so they can drive
// "edit a struct, then diff" through the real CLI without touching schema/.
// The test binary exposes each set as a command "structmigrate-<name>".
//
// Player is a frozen copy of the sample app's model: the tests that check
// exact SQL use it, so adding a field to schema.Player (the daily workflow)
// never breaks them. Each variant keeps the struct name, hence the table.
package testmodels

// Player is schema.Player as the committed initial migration creates it.
type Player struct {
	ID           string `json:"id" gorm:"column:id;primaryKey"`
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

// nicknamePlayer is Player with one field added.
type nicknamePlayer struct {
	Player
	Nickname string `json:"nickname" gorm:"column:nickname"`
}

func (nicknamePlayer) TableName() string { return "players" }

// Sets names each model list.
var Sets = map[string][]any{
	"player":   {&Player{}},
	"nickname": {&nicknamePlayer{}},
}
