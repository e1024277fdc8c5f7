package testmodels

// Views and triggers declared through migrator.Program.Desired
// (testdata/script/views_*.txtar, docs/models.md): authors and books, a view
// joining them and a trigger that keeps books.updatedAt current. The hook
// returns what AutoMigrate creates plus hand-written statements, as a team
// without atlas-provider-gorm would.

import (
	"context"

	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/desired"
)

type vwAuthor struct {
	ID   uint   `gorm:"primaryKey"`
	Name string `gorm:"not null"`
}

func (vwAuthor) TableName() string { return "authors" }

type vwBook struct {
	ID        uint `gorm:"primaryKey"`
	Title     string
	AuthorID  uint
	UpdatedAt string `gorm:"column:updatedAt"`
}

func (vwBook) TableName() string { return "books" }

// vwBookNotNull makes books.title NOT NULL: Atlas rebuilds the table, which
// the view reads and the trigger is on.
type vwBookNotNull struct {
	ID        uint   `gorm:"primaryKey"`
	Title     string `gorm:"not null;default:''"`
	AuthorID  uint
	UpdatedAt string `gorm:"column:updatedAt"`
}

func (vwBookNotNull) TableName() string { return "books" }

const (
	// vwView joins the two models.
	vwView = "CREATE VIEW `book_authors` AS SELECT b.`id`, b.`title`, a.`name` AS `author` FROM `books` b JOIN `authors` a ON a.`id` = b.`author_id`;\n"
	// vwViewChanged is vwView with one more column.
	vwViewChanged = "CREATE VIEW `book_authors` AS SELECT b.`id`, b.`title`, a.`name` AS `author`, b.`updatedAt` FROM `books` b JOIN `authors` a ON a.`id` = b.`author_id`;\n"
	// vwTrigger sets updatedAt on every update that does not set it itself.
	vwTrigger = "CREATE TRIGGER `books_touch` AFTER UPDATE ON `books` FOR EACH ROW WHEN NEW.`updatedAt` IS OLD.`updatedAt`\nBEGIN\n  UPDATE `books` SET `updatedAt` = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE `id` = NEW.`id`;\nEND;\n"
)

// withDDL is a Desired hook: AutoMigrate's DDL, then extra. (It calls
// desired.AutoMigrateDDL, which migrator.AutoMigrateDDL wraps: migrator
// imports the packages whose tests import testmodels.)
func withDDL(extra ...string) func(*gorm.Config, []any) (string, error) {
	return func(cfg *gorm.Config, models []any) (string, error) {
		ddl, err := desired.AutoMigrateDDL(context.Background(), cfg, models...)
		if err != nil {
			return "", err
		}
		for _, s := range extra {
			ddl += s
		}
		return ddl, nil
	}
}

// Desired holds the Desired hooks of the sets that have one.
var Desired = map[string]func(*gorm.Config, []any) (string, error){}

func init() {
	Sets["vw-tables"] = []any{&vwAuthor{}, &vwBook{}}
	Sets["vw"] = []any{&vwAuthor{}, &vwBook{}}
	Desired["vw"] = withDDL(vwView, vwTrigger)
	Sets["vw-changed"] = []any{&vwAuthor{}, &vwBook{}}
	Desired["vw-changed"] = withDDL(vwViewChanged, vwTrigger)
	Sets["vw-rebuild"] = []any{&vwAuthor{}, &vwBookNotNull{}}
	Desired["vw-rebuild"] = withDDL(vwView, vwTrigger)
	Sets["vw-none"] = []any{&vwAuthor{}, &vwBook{}}
	Desired["vw-none"] = withDDL()
	Sets["vw-bad"] = []any{&vwAuthor{}, &vwBook{}}
	Desired["vw-bad"] = withDDL(vwView, "CREATE VIEW `broken` AS SELEC 1;\n")
}
