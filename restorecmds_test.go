package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// cmdSQLDump is `sqldump DB`: every object's SQL, then every row of every
// table (sqlite_sequence and atlas_schema_revisions included), each value
// as quote() renders it (type and bytes), rows in order of all columns.
// Two dumps are equal when the databases hold the same schema and data.
func cmdSQLDump(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sqldump DB")
	}
	db, err := sqlitedb.OpenFile(ts.MkAbs(args[0]), true)
	ts.Check(err)
	defer db.Close()
	out := ts.Stdout()
	query := func(q string, each func(vals []string)) {
		rows, err := db.Query(q)
		ts.Check(err)
		defer rows.Close()
		for rows.Next() {
			cols, err := rows.Columns()
			ts.Check(err)
			vals := make([]string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			ts.Check(rows.Scan(ptrs...))
			each(vals)
		}
		ts.Check(rows.Err())
	}
	var tables []string
	query("SELECT type, name, quote(sql) FROM sqlite_schema ORDER BY type, name", func(v []string) {
		fmt.Fprintf(out, "%s %s: %s\n", v[0], v[1], v[2])
		if v[0] == "table" {
			tables = append(tables, v[1])
		}
	})
	ident := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	for _, t := range tables {
		var cols, quoted []string
		query("SELECT name FROM pragma_table_info("+strings.ReplaceAll(ident(t), `"`, `'`)+")", func(v []string) {
			cols = append(cols, ident(v[0]))
			quoted = append(quoted, "quote("+ident(v[0])+")")
		})
		if len(cols) == 0 {
			ts.Fatalf("table %s: no columns", t)
		}
		fmt.Fprintf(out, "-- %s\n", t)
		query("SELECT "+strings.Join(quoted, " || '|' || ")+" FROM "+ident(t)+" ORDER BY "+strings.Join(cols, ", "), func(v []string) {
			fmt.Fprintln(out, v[0])
		})
	}
}

// cmdTmpfs is `tmpfs DIR SIZE`: a tmpfs of SIZE (e.g. 2m) mounted on DIR
// (created) for the rest of the script, so that statfs reports little free
// room. Mounting needs privileges: guard it with `[!tmpfs] skip`.
func cmdTmpfs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tmpfs DIR SIZE")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+args[1], "tmpfs", dir).CombinedOutput(); err != nil {
		ts.Fatalf("cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	ts.Defer(func() { exec.Command("umount", "-l", dir).Run() })
}

// canMountTmpfs reports, once, whether a tmpfs can be mounted here.
var canMountTmpfs = sync.OnceValue(func() bool {
	dir, err := os.MkdirTemp("", "tmpfs-probe-")
	if err != nil {
		return false
	}
	defer os.Remove(dir)
	if exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).Run() != nil {
		return false
	}
	return exec.Command("umount", dir).Run() == nil
})
