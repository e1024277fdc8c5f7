// Package testmodels holds edited versions of the app's models, so tests can
// drive "edit a struct, then diff" through the real CLI without touching
// schema/. Each variant keeps the struct name, hence the table name.
package testmodels

import "github.com/structmigrate/structmigrate/schema"

// Player is schema.Player plus a nickname column.
type Player struct {
	schema.Player
	Nickname string `json:"nickname" gorm:"column:nickname"`
}

// Sets names each variant model list; the test binary exposes each as a
// command "structmigrate-<name>".
var Sets = map[string][]any{
	"nickname": {&Player{}},
}

// Experimental variants (issue 6) — kept in their own types.
type uniquePlayer struct {
	schema.Player
	Email string `gorm:"column:email;unique"`
}

func (uniquePlayer) TableName() string { return "players" }

type casePlayer struct {
	ID         string `gorm:"column:id;primaryKey"`
	Firstname  string `gorm:"column:firstname"`
	MiddleName string `gorm:"column:middleName"`
}

func (casePlayer) TableName() string { return "players" }

type casePlayer2 struct {
	ID         string `gorm:"column:id;primaryKey"`
	Firstname  string `gorm:"column:firstName"`
	MiddleName string `gorm:"column:middleName"`
}

func (casePlayer2) TableName() string { return "players" }

func init() {
	Sets["unique"] = []any{&uniquePlayer{}}
	Sets["case1"] = []any{&casePlayer{}}
	Sets["case2"] = []any{&casePlayer2{}}
}
