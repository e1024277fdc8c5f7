package testmodels

// Safe-change model sets (testdata/script/safe_*.txtar). "safe-base" is a
// small app: teams have many members (ON DELETE CASCADE), members have many
// notes (ON DELETE CASCADE); members carry camelCase columns, a composite
// index, a unique email, a text score holding numeric strings and a
// nullable nickname. Every other "safe-*" set is that app after one struct
// edit. The Go types differ; TableName keeps the table names.

// ---- base ----

type safeTeam struct {
	ID      uint   `gorm:"column:id;primaryKey"`
	Name    string `gorm:"column:name;not null"`
	Country string `gorm:"column:country"`
}

func (safeTeam) TableName() string { return "teams" }

type safeNote struct {
	ID       uint   `gorm:"column:id;primaryKey"`
	MemberID uint   `gorm:"column:memberId;not null;index"`
	Body     string `gorm:"column:body"`
}

func (safeNote) TableName() string { return "notes" }

type safeMember struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMember) TableName() string { return "members" }

// ---- 1. add a nullable column ----

type safeMemberAddCol struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Phone     *string    `gorm:"column:phoneNumber"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberAddCol) TableName() string { return "members" }

// ---- 2. rename a column (part of the composite index), with and without the tag ----

type safeMemberRename struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Handle    *string    `gorm:"column:handle" structmigrate:"renamed_from:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberRename) TableName() string { return "members" }

type safeMemberRenameNoTag struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Handle    *string    `gorm:"column:handle"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberRenameNoTag) TableName() string { return "members" }

// A renamed column that is part of the composite index.
type safeMemberRenameIndexed struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	Surname   string     `gorm:"column:surname;index:idx_member_team_name,priority:2" structmigrate:"renamed_from:lastName"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberRenameIndexed) TableName() string { return "members" }

// A rename and a type change in one edit (refused: two migrations).
type safeMemberRenameRetype struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Points    int        `gorm:"column:points" structmigrate:"renamed_from:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberRenameRetype) TableName() string { return "members" }

// ---- 3. case-only rename ----

type safeMemberCase struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstName"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberCase) TableName() string { return "members" }

// ---- 4. rename the parent table (teams → squads) ----

type safeSquad struct {
	ID      uint   `gorm:"column:id;primaryKey" structmigrate:"table_renamed_from:teams"`
	Name    string `gorm:"column:name;not null"`
	Country string `gorm:"column:country"`
}

func (safeSquad) TableName() string { return "squads" }

type safeMemberOfSquad struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeSquad  `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberOfSquad) TableName() string { return "members" }

// ---- 6. add a NOT NULL column ----

type safeMemberLevel struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Level     int        `gorm:"column:skillLevel;not null"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberLevel) TableName() string { return "members" }

type safeMemberLevelDefault struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Level     int        `gorm:"column:skillLevel;not null;default:1"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberLevelDefault) TableName() string { return "members" }

// ---- 7. tighten a nullable column to NOT NULL ----

type safeMemberNickRequired struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  string     `gorm:"column:nickname;not null"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberNickRequired) TableName() string { return "members" }

type safeMemberNickRequiredDefault struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Nickname  string     `gorm:"column:nickname;not null;default:'none'"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberNickRequiredDefault) TableName() string { return "members" }

// ---- 8. type changes ----

type safeMemberScoreInt struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     int        `gorm:"column:score"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberScoreInt) TableName() string { return "members" }

// Type change and NOT NULL with a default in one edit.
type safeMemberScoreIntRequired struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     int        `gorm:"column:score;not null;default:0"`
	Nickname  *string    `gorm:"column:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberScoreIntRequired) TableName() string { return "members" }

// ---- 9. indexes on camelCase columns ----

type safeMemberIndexes struct {
	ID          uint       `gorm:"column:id;primaryKey"`
	TeamID      uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName   string     `gorm:"column:firstname;index:idx_member_full_name,priority:2"`
	LastName    string     `gorm:"column:lastName;index:idx_member_team_name,priority:2;index:idx_member_full_name,priority:1"`
	Email       string     `gorm:"column:email;uniqueIndex"`
	Score       string     `gorm:"column:score"`
	Nickname    *string    `gorm:"column:nickname"`
	ShirtNumber *int       `gorm:"column:shirtNumber;uniqueIndex"`
	BadgeCode   *string    `gorm:"column:badgeCode;unique"`
	Team        safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes       []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberIndexes) TableName() string { return "members" }

// A model whose unique column is an inline UNIQUE constraint in the
// history (as GORM's `unique` or a baseline of an AutoMigrate'd database).
type safeTag struct {
	ID        uint   `gorm:"column:id;primaryKey"`
	TagCode   string `gorm:"column:tagCode;unique"`
	CreatedBy string `gorm:"column:createdBy"`
}

func (safeTag) TableName() string { return "tags" }

type safeTagLabel struct {
	ID        uint    `gorm:"column:id;primaryKey"`
	TagCode   string  `gorm:"column:tagCode;unique"`
	CreatedBy string  `gorm:"column:createdBy"`
	Label     *string `gorm:"column:label"`
}

func (safeTagLabel) TableName() string { return "tags" }

// ---- 10. a change that rebuilds the parent table ----

type safeTeamLoose struct {
	ID      uint   `gorm:"column:id;primaryKey"`
	Name    string `gorm:"column:name"` // NOT NULL dropped: the table is rebuilt
	Country string `gorm:"column:country"`
}

func (safeTeamLoose) TableName() string { return "teams" }

type safeMemberOfLooseTeam struct {
	ID        uint          `gorm:"column:id;primaryKey"`
	TeamID    uint          `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string        `gorm:"column:firstname"`
	LastName  string        `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string        `gorm:"column:email;uniqueIndex"`
	Score     string        `gorm:"column:score"`
	Nickname  *string       `gorm:"column:nickname"`
	Team      safeTeamLoose `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote    `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberOfLooseTeam) TableName() string { return "members" }

// The parent rebuilt the other way: country made NOT NULL with a default.
type safeTeamCountry struct {
	ID      uint   `gorm:"column:id;primaryKey"`
	Name    string `gorm:"column:name;not null"`
	Country string `gorm:"column:country;not null;default:'XX'"`
}

func (safeTeamCountry) TableName() string { return "teams" }

type safeMemberOfCountryTeam struct {
	ID        uint            `gorm:"column:id;primaryKey"`
	TeamID    uint            `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string          `gorm:"column:firstname"`
	LastName  string          `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string          `gorm:"column:email;uniqueIndex"`
	Score     string          `gorm:"column:score"`
	Nickname  *string         `gorm:"column:nickname"`
	Team      safeTeamCountry `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote      `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberOfCountryTeam) TableName() string { return "members" }

// ---- 11. drop a column, drop a model ----

type safeMemberNoNick struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     string     `gorm:"column:score"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberNoNick) TableName() string { return "members" }

type safeMemberNoNotes struct {
	ID        uint     `gorm:"column:id;primaryKey"`
	TeamID    uint     `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string   `gorm:"column:firstname"`
	LastName  string   `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string   `gorm:"column:email;uniqueIndex"`
	Score     string   `gorm:"column:score"`
	Nickname  *string  `gorm:"column:nickname"`
	Team      safeTeam `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
}

func (safeMemberNoNotes) TableName() string { return "members" }

func init() {
	sets := map[string][]any{
		"safe-base":           {&safeTeam{}, &safeMember{}, &safeNote{}},
		"safe-addcol":         {&safeTeam{}, &safeMemberAddCol{}, &safeNote{}},
		"safe-rename":         {&safeTeam{}, &safeMemberRename{}, &safeNote{}},
		"safe-rename-notag":   {&safeTeam{}, &safeMemberRenameNoTag{}, &safeNote{}},
		"safe-rename-indexed": {&safeTeam{}, &safeMemberRenameIndexed{}, &safeNote{}},
		"safe-rename-retype":  {&safeTeam{}, &safeMemberRenameRetype{}, &safeNote{}},
		"safe-case":           {&safeTeam{}, &safeMemberCase{}, &safeNote{}},
		"safe-renametable":    {&safeSquad{}, &safeMemberOfSquad{}, &safeNote{}},
		"safe-level":          {&safeTeam{}, &safeMemberLevel{}, &safeNote{}},
		"safe-level-default":  {&safeTeam{}, &safeMemberLevelDefault{}, &safeNote{}},
		"safe-nick-required":  {&safeTeam{}, &safeMemberNickRequired{}, &safeNote{}},
		"safe-nick-default":   {&safeTeam{}, &safeMemberNickRequiredDefault{}, &safeNote{}},
		"safe-score-int":      {&safeTeam{}, &safeMemberScoreInt{}, &safeNote{}},
		"safe-score-int-req":  {&safeTeam{}, &safeMemberScoreIntRequired{}, &safeNote{}},
		"safe-indexes":        {&safeTeam{}, &safeMemberIndexes{}, &safeNote{}},
		"safe-team-country":   {&safeTeamCountry{}, &safeMemberOfCountryTeam{}, &safeNote{}},
		"safe-team-loose":     {&safeTeamLoose{}, &safeMemberOfLooseTeam{}, &safeNote{}},
		"safe-drop-nickname":  {&safeTeam{}, &safeMemberNoNick{}, &safeNote{}},
		"safe-drop-notes":     {&safeTeam{}, &safeMemberNoNotes{}},
		"safe-tags":           {&safeTag{}},
		"safe-tags-label":     {&safeTagLabel{}},
	}
	for name, models := range sets {
		Sets[name] = models
	}
}

// A stated rename (nickname → handle) and a type change of another column
// (score → int) in one edit: one table copy that maps the renamed column.
type safeMemberRenameAndRetype struct {
	ID        uint       `gorm:"column:id;primaryKey"`
	TeamID    uint       `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string     `gorm:"column:firstname"`
	LastName  string     `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string     `gorm:"column:email;uniqueIndex"`
	Score     int        `gorm:"column:score"`
	Handle    *string    `gorm:"column:handle" structmigrate:"renamed_from:nickname"`
	Team      safeTeam   `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberRenameAndRetype) TableName() string { return "members" }

// The parent table's name changes case only (teams → Teams).
type safeTeamCased struct {
	ID      uint   `gorm:"column:id;primaryKey"`
	Name    string `gorm:"column:name;not null"`
	Country string `gorm:"column:country"`
}

func (safeTeamCased) TableName() string { return "Teams" }

type safeMemberOfCasedTeam struct {
	ID        uint          `gorm:"column:id;primaryKey"`
	TeamID    uint          `gorm:"column:teamId;not null;index:idx_member_team_name,priority:1"`
	FirstName string        `gorm:"column:firstname"`
	LastName  string        `gorm:"column:lastName;index:idx_member_team_name,priority:2"`
	Email     string        `gorm:"column:email;uniqueIndex"`
	Score     string        `gorm:"column:score"`
	Nickname  *string       `gorm:"column:nickname"`
	Team      safeTeamCased `gorm:"foreignKey:TeamID;constraint:OnDelete:CASCADE"`
	Notes     []safeNote    `gorm:"foreignKey:MemberID;constraint:OnDelete:CASCADE"`
}

func (safeMemberOfCasedTeam) TableName() string { return "members" }

func init() {
	Sets["safe-rename-and-retype"] = []any{&safeTeam{}, &safeMemberRenameAndRetype{}, &safeNote{}}
	Sets["safe-renametable-case"] = []any{&safeTeamCased{}, &safeMemberOfCasedTeam{}, &safeNote{}}
}
