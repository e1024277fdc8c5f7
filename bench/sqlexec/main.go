// Command sqlexec runs an SQL script on a SQLite file through the same
// pure-Go engine and driver structmigrate uses (glebarez/go-sqlite on
// modernc.org/sqlite), with nothing else: the floor for structmigrate's own
// apply and rollback of that script in `make bench`.
//
//	sqlexec DB SCRIPT
package main

import (
	"fmt"
	"os"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sqlexec DB SCRIPT")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db, err := sqlitedb.OpenFile(os.Args[1], false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	if _, err := db.Exec(string(script)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
