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
