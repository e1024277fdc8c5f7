// Command automigrate makes a database the way an app without migrations
// does: GORM AutoMigrate for schema.Models(), into the file named by the
// argument. The template-swap check adopts it (docs/getting-started.md).
package main

import (
	"fmt"
	"os"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/structmigrate/structmigrate/schema"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: automigrate DB")
		os.Exit(2)
	}
	db, err := gorm.Open(sqlite.Open(os.Args[1]), &gorm.Config{Logger: logger.Discard})
	if err == nil {
		err = db.AutoMigrate(schema.Models()...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "automigrate:", err)
		os.Exit(1)
	}
}
