package testmodels

import "time"

// Data-safety model sets (testdata/script/data_*.txtar): a "people" table
// whose born date is a string, and that table after one struct edit.

type person struct {
	ID    uint    `gorm:"column:id;primaryKey"`
	Name  string  `gorm:"column:name;not null"`
	Email *string `gorm:"column:email"`
	Born  string  `gorm:"column:born"`
	Team  string  `gorm:"column:team"`
}

func (person) TableName() string { return "people" }

// The born date becomes a time.Time (GORM: datetime, NUMERIC affinity).
type personBornTime struct {
	ID    uint      `gorm:"column:id;primaryKey"`
	Name  string    `gorm:"column:name;not null"`
	Email *string   `gorm:"column:email"`
	Born  time.Time `gorm:"column:born"`
	Team  string    `gorm:"column:team"`
}

func (personBornTime) TableName() string { return "people" }

// The nullable email becomes NOT NULL without a default.
type personEmailRequired struct {
	ID    uint   `gorm:"column:id;primaryKey"`
	Name  string `gorm:"column:name;not null"`
	Email string `gorm:"column:email;not null"`
	Born  string `gorm:"column:born"`
	Team  string `gorm:"column:team"`
}

func (personEmailRequired) TableName() string { return "people" }

// The team gets a unique index.
type personUniqueTeam struct {
	ID    uint    `gorm:"column:id;primaryKey"`
	Name  string  `gorm:"column:name;not null"`
	Email *string `gorm:"column:email"`
	Born  string  `gorm:"column:born"`
	Team  string  `gorm:"column:team;uniqueIndex"`
}

func (personUniqueTeam) TableName() string { return "people" }

func init() {
	Sets["people"] = []any{&person{}}
	Sets["people-born-time"] = []any{&personBornTime{}}
	Sets["people-email-required"] = []any{&personEmailRequired{}}
	Sets["people-unique-team"] = []any{&personUniqueTeam{}}
}

// FieldType is a Go field type as a one-field model: table "vals" with the
// column "v" of that type (and an integer primary key "id").
type FieldType struct {
	Go    string // the Go type, as written in a struct
	Model any
}

type valsOf[T any] struct {
	ID uint `gorm:"column:id;primaryKey"`
	V  T    `gorm:"column:v"`
}

func (valsOf[T]) TableName() string { return "vals" }

// FieldTypes are the Go field types whose conversions docs/changes-types.md
// measures.
var FieldTypes = []FieldType{
	{"string", &valsOf[string]{}},
	{"*string", &valsOf[*string]{}},
	{"int", &valsOf[int]{}},
	{"*int", &valsOf[*int]{}},
	{"int64", &valsOf[int64]{}},
	{"*int64", &valsOf[*int64]{}},
	{"float64", &valsOf[float64]{}},
	{"*float64", &valsOf[*float64]{}},
	{"bool", &valsOf[bool]{}},
	{"*bool", &valsOf[*bool]{}},
	{"time.Time", &valsOf[time.Time]{}},
	{"*time.Time", &valsOf[*time.Time]{}},
	{"[]byte", &valsOf[[]byte]{}},
}
