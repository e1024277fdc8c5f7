package migrator_test

import (
	"fmt"
	"os"
	"testing/fstest"

	"github.com/structmigrate/structmigrate/migrator"
)

type Author struct {
	ID   uint
	Name string `gorm:"not null"`
}

// A team's cmd/migrate/main.go lists its models and embeds its migrations
// and atlas.hcl, then calls migrator.Main; here the directory and the
// project file are in memory, and --db names a file in a temporary folder.
func ExampleRun() {
	dir, _ := os.MkdirTemp("", "migrator-example")
	defer os.RemoveAll(dir)
	p := migrator.Program{
		Models: []any{&Author{}},
		Migrations: fstest.MapFS{
			"20260101000000_initial.sql": {Data: []byte("CREATE TABLE `authors` (`id` integer NULL PRIMARY KEY AUTOINCREMENT, `name` text NOT NULL);\n")},
			"atlas.sum":                  {Data: []byte(sum)},
		},
		Config: []byte(`env "local" {
  url = "sqlite://app.db"
  dev = "sqlite://dev?mode=memory"
}
`),
	}
	code := migrator.Run([]string{"migrate", "--db", dir + "/app.db", "apply"}, p, discard{}, os.Stderr)
	fmt.Println("apply:", code)
	code = migrator.Run([]string{"migrate", "--db", dir + "/app.db", "status"}, p, discard{}, os.Stderr)
	fmt.Println("status:", code)
	// Output:
	// apply: 0
	// status: 0
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

const sum = `h1:LxDIHzOHv14H+onxGz8tSaAYa4mYx2Sfi7YGfGk0f5U=
20260101000000_initial.sql h1:C749JaCJW683m2pLwre3CkO/5j9DkxwH05mrllalUY0=
`
