package migrator_test

import (
	"os"

	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/migrator"
)

type Book struct {
	ID       uint
	Title    string
	AuthorID uint
}

// A team without atlas-provider-gorm declares a view in its Desired hook:
// what AutoMigrate creates, plus the view. `schema` prints the desired
// state, the view after the tables.
func ExampleProgram_desired() {
	p := migrator.Program{
		Models: []any{&Author{}, &Book{}},
		Desired: func(cfg *gorm.Config, models []any) (string, error) {
			ddl, err := migrator.AutoMigrateDDL(cfg, models)
			return ddl + "CREATE VIEW `titles` AS SELECT b.`title`, a.`name` FROM `books` b JOIN `authors` a ON a.`id` = b.`author_id`;\n", err
		},
		Config: []byte(`env "local" {}`),
	}
	migrator.Run([]string{"migrate", "schema"}, p, os.Stdout, os.Stderr)
	// Output:
	// -- Create "authors" table
	// CREATE TABLE `authors` (`id` integer NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL);
	// -- Create "books" table
	// CREATE TABLE `books` (`id` integer NULL PRIMARY KEY AUTOINCREMENT, `title` text NULL, `author_id` integer NULL);
	// -- Create "titles" view
	// CREATE VIEW `titles` AS SELECT b.`title`, a.`name` FROM `books` b JOIN `authors` a ON a.`id` = b.`author_id`;
}
