package testmodels

// Foreign keys SQLite cannot enforce (testdata/script/fk_unenforceable.txtar):
// a belongs-to association whose references are not unique in the parent,
// as real GORM apps declare them. comments (page_key, site_name) reference
// pages (key, site_name), which is neither the primary key of pages nor
// covered by a unique index: GORM writes the constraint, SQLite reports
// "foreign key mismatch" on any use of it. Beside it, foreign keys SQLite
// does enforce: pages.site_id → sites.id, and in v2 comments.site_id →
// sites.id (in the same table as the unenforceable one).

type ufSite struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"not null"`
}

func (ufSite) TableName() string { return "sites" }

type ufPage struct {
	ID       uint `gorm:"primaryKey"`
	SiteID   uint `gorm:"not null"`
	Site     ufSite
	Key      string `gorm:"not null"`
	SiteName string `gorm:"not null"`
	Slug     string
}

func (ufPage) TableName() string { return "pages" }

type ufComment struct {
	ID       uint `gorm:"primaryKey"`
	SiteID   uint `gorm:"not null"`
	PageKey  string
	SiteName string
	Page     ufPage `gorm:"foreignKey:PageKey,SiteName;references:Key,SiteName"`
	Body     string
}

func (ufComment) TableName() string { return "comments" }

// v2 edits both tables so that each is rebuilt (a column made NOT NULL),
// adds a column to each, and gives comments a second, enforceable key.
type ufPage2 struct {
	ID       uint `gorm:"primaryKey"`
	SiteID   uint `gorm:"not null"`
	Site     ufSite
	Key      string `gorm:"not null"`
	SiteName string `gorm:"not null"`
	Slug     string `gorm:"not null;default:''"`
	Title    string `gorm:"not null;default:'untitled'"`
}

func (ufPage2) TableName() string { return "pages" }

type ufComment2 struct {
	ID       uint `gorm:"primaryKey"`
	SiteID   uint `gorm:"not null"`
	Site     ufSite
	PageKey  string
	SiteName string
	Page     ufPage2 `gorm:"foreignKey:PageKey,SiteName;references:Key,SiteName"`
	Body     string
	Votes    int `gorm:"not null;default:0"`
}

func (ufComment2) TableName() string { return "comments" }

func init() {
	Sets["unenforceable"] = []any{&ufSite{}, &ufPage{}, &ufComment{}}
	Sets["unenforceable-v2"] = []any{&ufSite{}, &ufPage2{}, &ufComment2{}}
}
