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
//
// `sqlhold -read DB DURATION READYFILE` is an app's reader instead: it holds
// a read transaction (SQLite's SHARED lock) for DURATION.
func sqlHold() int {
	begin := "BEGIN IMMEDIATE"
	if len(os.Args) == 5 && os.Args[1] == "-read" {
		begin = "BEGIN; SELECT count(*) FROM sqlite_schema"
		os.Args = append(os.Args[:1], os.Args[2:]...)
	}
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sqlhold [-read] DB DURATION READYFILE")
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
	if _, err := db.Exec(begin); err != nil {
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

// cmdWaitBigger is `waitbigger FILE REF`: wait up to 30s for FILE to grow
// larger than REF (a copy taken before), e.g. a database file that a
// writer has spilled its changes into.
func cmdWaitBigger(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitbigger FILE REF")
	}
	ref, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(time.Millisecond) {
		if fi, err := os.Stat(ts.MkAbs(args[0])); err == nil && fi.Size() > ref.Size() {
			return
		}
	}
	ts.Fatalf("%s did not grow past %d bytes in 30s", args[0], ref.Size())
}
