package testmodels

import (
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// GORM config sets (testdata/script/gorm_config.txtar, docs/models.md "GORM
// config"): the same models built with the config their package declares.

// Configs holds the GORM config of a set that declares one (its models
// package's GormConfig()); a set without an entry has GORM's defaults.
var Configs = map[string]*gorm.Config{}

// A club and its members: a belongs-to association, a foreign key by default.
type cfgClub struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

func (cfgClub) TableName() string { return "clubs" }

type cfgMember struct {
	ID     uint `gorm:"primaryKey"`
	Name   string
	ClubID uint
	Club   cfgClub
}

func (cfgMember) TableName() string { return "members" }

// Author, Book and Genre take their table names from the naming strategy
// (no TableName method): "app_" prefix, singular tables; the join table
// gets the prefix too.
type Author struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

type Book struct {
	ID       uint `gorm:"primaryKey"`
	Title    string
	AuthorID uint
	Author   Author
	Genres   []Genre `gorm:"many2many:book_genres"`
}

type Genre struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"uniqueIndex"`
}

func init() {
	Sets["cfg-fk"] = []any{&cfgClub{}, &cfgMember{}}
	Sets["cfg-nofk"] = []any{&cfgClub{}, &cfgMember{}}
	Configs["cfg-nofk"] = &gorm.Config{DisableForeignKeyConstraintWhenMigrating: true}
	Sets["cfg-naming"] = []any{&Author{}, &Book{}, &Genre{}}
	Configs["cfg-naming"] = &gorm.Config{NamingStrategy: schema.NamingStrategy{TablePrefix: "app_", SingularTable: true}}
}
