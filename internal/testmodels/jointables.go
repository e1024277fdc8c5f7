package testmodels

import (
	"time"

	"gorm.io/gorm"
)

// A custom join table (GORM's SetupJoinTable; testdata/script/join_table.txtar,
// docs/models.md "Join tables"): PersonAddress is the join table of
// Person.Addresses, with columns of its own and soft delete. The two sets
// list the same models in opposite orders and must give one schema.

type Person struct {
	ID        uint `gorm:"primaryKey"`
	Name      string
	Addresses []Address `gorm:"many2many:person_addresses"`
}

type Address struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

type PersonAddress struct {
	PersonID  uint `gorm:"primaryKey"`
	AddressID uint `gorm:"primaryKey"`
	Role      string
	CreatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

func init() {
	Sets["join-last"] = []any{&Person{}, &Address{}, &PersonAddress{}}
	Sets["join-first"] = []any{&PersonAddress{}, &Person{}, &Address{}}
}
