package main

import (
	"fmt"
	"os"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// sqlHold is the program `sqlhold DB DURATION READYFILE`: a writer outside
// the migration tools (an app). It holds DB's write lock (BEGIN IMMEDIATE)
// for DURATION, creating READYFILE once it holds it. Run it in the
// background (&) and wait for READYFILE with waitfile.
func sqlHold() int {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sqlhold DB DURATION READYFILE")
		return 2
	}
	d, err := time.ParseDuration(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	db, err := sqlitedb.OpenFile(os.Args[1], false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer db.Close()
	// Spelled out, not the DSN's _txlock: the holder must not depend on
	// what it tests.
	if _, err := db.Exec("BEGIN IMMEDIATE"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(os.Args[3], nil, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	time.Sleep(d)
	if _, err := db.Exec("COMMIT"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// cmdWaitFile is `waitfile FILE`: wait up to 30s for FILE to exist.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile FILE")
	}
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
	}
	ts.Fatalf("%s did not appear in 30s", args[0])
}
