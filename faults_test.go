package main

import (
	"io"
	"os"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// cmdHotJournal makes the crash image of a write: `hotjournal SRC DST STMT`
// runs STMT on SRC in a transaction with a tiny page cache, so SQLite
// journals the pages and overwrites them in the file before commit, copies
// the file and its journal to DST and DST-journal at that moment, then
// rolls SRC back. DST is what a kill -9 (or a full disk, an I/O error) in
// the middle of the write leaves: a changed file beside a hot journal.
func cmdHotJournal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: hotjournal SRC DST STMT")
	}
	src, dst := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	db, err := sqlitedb.OpenFile(src, false)
	ts.Check(err)
	defer db.Close()
	_, err = db.Exec("PRAGMA cache_size = 8")
	ts.Check(err)
	tx, err := db.Begin()
	ts.Check(err)
	defer tx.Rollback()
	_, err = tx.Exec(args[2])
	ts.Check(err)
	if _, err := os.Stat(src + "-journal"); err != nil {
		ts.Fatalf("no journal during the write: %v", err)
	}
	ts.Check(copyFile(src, dst))
	ts.Check(copyFile(src+"-journal", dst+"-journal"))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
