package testmodels

// Has-many rename sets (testdata/script/safe_rename_table_has_many.txtar):
// the parent declares the association (Team.Members), so GORM names the
// child's constraint after the parent table, fk_teams_members. Renaming the
// parent (teams → squads) renames that constraint on the desired side,
// while SQLite's RENAME TO only rewrites the REFERENCES clause.

type hmTeam struct {
	ID      uint       `gorm:"column:id;primaryKey"`
	Name    string     `gorm:"column:name;not null"`
	Members []hmMember `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
}

func (hmTeam) TableName() string { return "teams" }

type hmMember struct {
	ID     uint   `gorm:"column:id;primaryKey"`
	TeamID uint   `gorm:"column:teamId;not null;index"`
	Name   string `gorm:"column:name"`
}

func (hmMember) TableName() string { return "members" }

type hmSquad struct {
	ID      uint       `gorm:"column:id;primaryKey" structmigrate:"table_renamed_from:teams"`
	Name    string     `gorm:"column:name;not null"`
	Members []hmMember `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
}

func (hmSquad) TableName() string { return "squads" }

func init() {
	Sets["hasmany-base"] = []any{&hmTeam{}, &hmMember{}}
	Sets["hasmany-renamed"] = []any{&hmSquad{}, &hmMember{}}
}
