package testmodels

// Association and constraint sets (testdata/script/changes_associations.txtar,
// docs/changes.md): a small app, teams and players, then one edit each —
// a CHECK, a has-many association declared on the parent, a many2many
// association, and an embedded struct.

type exTeam struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"not null"`
}

func (exTeam) TableName() string { return "teams" }

type exPlayer struct {
	ID     uint `gorm:"primaryKey"`
	TeamID uint
	Name   string
	Goals  int
}

func (exPlayer) TableName() string { return "players" }

// A CHECK constraint on a field.
type exPlayerCheck struct {
	ID     uint `gorm:"primaryKey"`
	TeamID uint
	Name   string
	Goals  int `gorm:"check:chk_players_goals,goals >= 0"`
}

func (exPlayerCheck) TableName() string { return "players" }

// The parent declares the association: the child gets a foreign key.
type exTeamHasMany struct {
	ID      uint       `gorm:"primaryKey"`
	Name    string     `gorm:"not null"`
	Players []exPlayer `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
}

func (exTeamHasMany) TableName() string { return "teams" }

type exTag struct {
	ID    uint   `gorm:"primaryKey"`
	Label string `gorm:"uniqueIndex"`
}

func (exTag) TableName() string { return "tags" }

// A many2many association: a join table.
type exPlayerTags struct {
	ID     uint `gorm:"primaryKey"`
	TeamID uint
	Name   string
	Goals  int
	Tags   []exTag `gorm:"many2many:player_tags;joinForeignKey:PlayerID;joinReferences:TagID"`
}

func (exPlayerTags) TableName() string { return "players" }

type exContact struct {
	Email string
	Phone *string
}

// An embedded struct: its fields become columns of the table.
type exPlayerContact struct {
	ID      uint `gorm:"primaryKey"`
	TeamID  uint
	Name    string
	Goals   int
	Contact exContact `gorm:"embedded;embeddedPrefix:contact_"`
}

func (exPlayerContact) TableName() string { return "players" }

func init() {
	Sets["ex-base"] = []any{&exTeam{}, &exPlayer{}}
	Sets["ex-check"] = []any{&exTeam{}, &exPlayerCheck{}}
	Sets["ex-hasmany"] = []any{&exTeamHasMany{}, &exPlayer{}}
	Sets["ex-many2many"] = []any{&exTeam{}, &exPlayerTags{}, &exTag{}}
	Sets["ex-embedded"] = []any{&exTeam{}, &exPlayerContact{}}
}
