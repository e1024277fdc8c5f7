package testmodels

import (
	"time"

	"gorm.io/gorm"
)

// GORM tag sets for "AutoMigrate after apply changes nothing" (issue 14.6,
// automigrate_test.go): the schema structmigrate applies must be one GORM's
// own migrator (AutoMigrate at an app's start-up) considers up to date, for
// every tag kind that reaches the DDL.

// gtSized: explicit types with a size, and size: on a string
// (SQLite's GORM dialect writes text for it).
type gtSized struct {
	ID    uint   `gorm:"primaryKey"`
	Code  string `gorm:"type:varchar(64)"`
	Short string `gorm:"type:varchar(8);not null"`
	Char  string `gorm:"type:char(2)"`
	Name  string `gorm:"size:80"`
	Ratio float64
	Data  []byte
}

func (gtSized) TableName() string { return "sized" }

// gtSizedWider is gtSized with two sizes edited: a change for diff.
type gtSizedWider struct {
	ID    uint   `gorm:"primaryKey"`
	Code  string `gorm:"type:varchar(128)"`
	Short string `gorm:"type:varchar(8);not null"`
	Char  string `gorm:"type:char(2)"`
	Name  string `gorm:"size:80"`
	Ratio float64
	Data  []byte
}

func (gtSizedWider) TableName() string { return "sized" }

// gtSelfRebuilt holds tags GORM's own AutoMigrate rebuilds its own table
// for at every start (GORM's migrator compares a decimal's precision with
// the field's, 0 without a precision tag, and glebarez/sqlite reads a
// default written in parentheses with its closing one): structmigrate
// cannot do better than GORM there, only as well.
type gtSelfRebuilt struct {
	ID     uint      `gorm:"primaryKey"`
	Price  float64   `gorm:"type:decimal(10,2)"`
	Amount float64   `gorm:"type:decimal(10)"`
	Stamp  time.Time `gorm:"not null;default:(datetime('now'))"`
}

func (gtSelfRebuilt) TableName() string { return "self_rebuilt" }

// gtUnique: a unique constraint (GORM's uni_<table>_<column>), a unique
// index, composite and sorted indexes, a partial index.
type gtUnique struct {
	ID      uint   `gorm:"primaryKey"`
	Email   string `gorm:"unique"`
	Handle  string `gorm:"type:varchar(32);unique;not null"`
	Badge   int    `gorm:"uniqueIndex"`
	First   string `gorm:"index:idx_name,priority:2"`
	Last    string `gorm:"index:idx_name,priority:1"`
	Team    string `gorm:"uniqueIndex:idx_team_num"`
	Number  int    `gorm:"uniqueIndex:idx_team_num"`
	Score   int    `gorm:"index:idx_score,sort:desc"`
	Active  bool   `gorm:"index:idx_active,where:active = 1"`
	Country string `gorm:"index"`
}

func (gtUnique) TableName() string { return "uniques" }

// gtDefaults: a default of each kind, with and without not null.
type gtDefaults struct {
	ID        uint      `gorm:"primaryKey"`
	Status    string    `gorm:"default:draft"`
	Quoted    string    `gorm:"default:'open'"`
	Empty     string    `gorm:"default:''"`
	Label     string    `gorm:"type:varchar(20);not null;default:none"`
	Count     int       `gorm:"default:0"`
	Limit     int       `gorm:"not null;default:10"`
	Negative  int       `gorm:"default:-1"`
	Rate      float64   `gorm:"default:1.5"`
	Enabled   bool      `gorm:"default:true"`
	Hidden    bool      `gorm:"not null;default:false"`
	Seen      time.Time `gorm:"default:CURRENT_TIMESTAMP"`
	Nullable  *string   `gorm:"default:null"`
	Required  string    `gorm:"not null"`
	Checked   int       `gorm:"check:checked >= 0"`
	Named     int       `gorm:"check:chk_named,named < 100"`
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt `gorm:"index"`
	Born      *time.Time
	Day       time.Time `gorm:"type:date"`
	Unix      int64     `gorm:"autoCreateTime"`
}

func (gtDefaults) TableName() string { return "defaults" }

// gtQuotedDefaults: text defaults GORM writes as "…" with a backslash or a
// single quote inside. Atlas quotes a "…" default with Go's strconv.Unquote,
// which rejects `\d`: diff failed planning the down script (DROP TABLE) and
// lint creating the schema. (A double quote inside, "say ""hi""", fails
// the same way, but GORM rebuilds such a table at every start on its own
// database.)
type gtQuotedDefaults struct {
	ID   uint   `gorm:"primaryKey"`
	Path string `gorm:"default:'C:\\dir\\q'"`
	Its  string `gorm:"default:'it''s'"`
}

func (gtQuotedDefaults) TableName() string { return "quoted_defaults" }

// gtUniqueLess is gtUnique with the unique constraint on Email dropped and
// one added on Country: both rebuild the table, as AutoMigrate does.
type gtUniqueLess struct {
	ID      uint `gorm:"primaryKey"`
	Email   string
	Handle  string `gorm:"type:varchar(32);unique;not null"`
	Badge   int    `gorm:"uniqueIndex"`
	First   string `gorm:"index:idx_name,priority:2"`
	Last    string `gorm:"index:idx_name,priority:1"`
	Team    string `gorm:"uniqueIndex:idx_team_num"`
	Number  int    `gorm:"uniqueIndex:idx_team_num"`
	Score   int    `gorm:"index:idx_score,sort:desc"`
	Active  bool   `gorm:"index:idx_active,where:active = 1"`
	Country string `gorm:"unique"`
}

func (gtUniqueLess) TableName() string { return "uniques" }

// gtAuthor, gtBook: foreign keys (belongs-to, has-many with actions),
// an embedded struct with a prefix, serializers.
type gtAuthor struct {
	ID    uint     `gorm:"primaryKey"`
	Name  string   `gorm:"type:varchar(100);not null;unique"`
	Books []gtBook `gorm:"foreignKey:AuthorID;constraint:OnUpdate:CASCADE,OnDelete:SET NULL"`
}

func (gtAuthor) TableName() string { return "authors" }

type gtAddress struct {
	Street string `gorm:"type:varchar(120)"`
	City   string `gorm:"not null;default:'unknown'"`
	Zip    string `gorm:"size:10;index"`
}

type gtBook struct {
	ID        uint `gorm:"primaryKey"`
	AuthorID  *uint
	EditorID  uint
	Editor    gtAuthor          `gorm:"foreignKey:EditorID"`
	Title     string            `gorm:"type:varchar(200);not null;index"`
	Address   gtAddress         `gorm:"embedded;embeddedPrefix:addr_"`
	Meta      map[string]string `gorm:"serializer:json"`
	Tags      []string          `gorm:"serializer:json;type:text"`
	Published time.Time         `gorm:"serializer:unixtime;type:integer"`
}

func (gtBook) TableName() string { return "books" }

func init() {
	Sets["gorm-sized"] = []any{&gtSized{}}
	Sets["gorm-sized-wider"] = []any{&gtSizedWider{}}
	Sets["gorm-unique"] = []any{&gtUnique{}}
	Sets["gorm-unique-moved"] = []any{&gtUniqueLess{}}
	Sets["gorm-self-rebuilt"] = []any{&gtSelfRebuilt{}}
	Sets["gorm-defaults"] = []any{&gtDefaults{}}
	Sets["gorm-quoted-defaults"] = []any{&gtQuotedDefaults{}}
	Sets["gorm-relations"] = []any{&gtAuthor{}, &gtBook{}}
}
