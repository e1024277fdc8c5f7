package plan

// Before diff writes a file, its statements run on the dev database the
// directory was replayed on: that database holds the rows the directory's
// own files insert (seed data), so a file that fails there — a unique index
// over seeded duplicates, a NOT NULL over seeded NULLs — would make every
// later replay (status, diff, lint) fail until it is deleted by hand. The
// down script then runs too and must bring the schema back to the replayed
// state (what lint's reversible check asks of every new file).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// ReplayError refuses a generated file that fails on the directory's
// replayed dev database, or a down script that does not undo it. Nothing
// is written.
type ReplayError struct {
	Path   string // the file that would have been written
	Line   int    // 0 when the whole file is at fault
	Stmt   string // the failing statement, if any
	Err    error
	Detail string // e.g. the duplicate values of a UNIQUE failure
	After  string // for a down script: the up file it runs after
}

func (e *ReplayError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	return fmt.Sprintf("diff refused: %s (not written) %s; nothing was written", where, e.Reason())
}

// Reason is the message without the file: the statement, SQLite's error
// and the rows behind it.
func (e *ReplayError) Reason() string {
	var msg string
	switch stmt := migdir.OneLine(strings.TrimSuffix(strings.TrimSpace(e.Stmt), ";"), 120); {
	case stmt != "" && e.After != "":
		msg = fmt.Sprintf("would fail when run after %s on the replayed directory: %q: ", e.After, stmt)
	case stmt != "":
		msg = fmt.Sprintf("would fail when the directory is replayed: %q: ", stmt)
	}
	msg += migdir.OneLine(e.Err.Error(), 300)
	if e.Detail != "" {
		msg += "; " + e.Detail
	}
	return msg
}

func (e *ReplayError) Unwrap() error { return e.Err }

// verify runs up then down on dev, which holds the replayed directory
// (schema current).
func verify(ctx context.Context, dev *sqlitedb.Dev, dir migdir.Dir, current *schema.Schema, up, down migrate.File, exclude []string) error {
	upPath := filepath.Join(dir.Path(), up.Name())
	downPath := filepath.Join(dir.Path(), migdir.DownDirName, down.Name())
	if err := run(ctx, dev.DB, upPath, up, ""); err != nil {
		return err
	}
	if err := run(ctx, dev.DB, downPath, down, up.Name()); err != nil {
		return err
	}
	after, err := objects.Inspect(ctx, dev.Driver, nil)
	if err != nil {
		return err
	}
	if err := Exclude(after, exclude); err != nil {
		return err
	}
	left, err := Diff(dev.Driver, after, current)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return &ReplayError{Path: downPath, Err: fmt.Errorf("does not undo %s: the schema it leaves differs from the directory's: %s", up.Name(), describe(left))}
	}
	return nil
}

// describe names what changes (from the schema a down script leaves to the
// directory's) would still have to do.
func describe(changes []schema.Change) string {
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case *schema.AddTable:
			out = append(out, fmt.Sprintf("table %q is missing", c.T.Name))
		case *schema.DropTable:
			out = append(out, fmt.Sprintf("table %q is left over", c.T.Name))
		case *schema.ModifyTable:
			for _, ch := range c.Changes {
				switch ch := ch.(type) {
				case *schema.AddColumn:
					out = append(out, fmt.Sprintf("column %q.%q is missing", c.T.Name, ch.C.Name))
				case *schema.DropColumn:
					out = append(out, fmt.Sprintf("column %q.%q is left over", c.T.Name, ch.C.Name))
				case *schema.ModifyColumn:
					out = append(out, fmt.Sprintf("column %q.%q differs", c.T.Name, ch.To.Name))
				case *schema.AddIndex:
					out = append(out, fmt.Sprintf("index %q is missing", ch.I.Name))
				case *schema.DropIndex:
					out = append(out, fmt.Sprintf("index %q is left over", ch.I.Name))
				default:
					out = append(out, fmt.Sprintf("table %q differs", c.T.Name))
				}
			}
		case *objects.Change:
			out = append(out, c.Describe())
		default:
			out = append(out, fmt.Sprintf("%T", c))
		}
	}
	return strings.Join(slices.Compact(out), ", ")
}

// run executes f's statements as apply runs them (runfile), as Replay
// does; after names the up file a down script runs after. A failed file is
// rolled back before detail looks at the rows behind the failure: a table
// copy fails on new_t, and the rows it copied from are in t as they were.
func run(ctx context.Context, db *sql.DB, path string, f migrate.File, after string) error {
	err := runfile.Replay(ctx, db, f, path, "running", nil)
	var se *migdir.StmtError
	if !errors.As(err, &se) {
		if err != nil { // e.g. a commit refused for foreign-key violations
			return &ReplayError{Path: path, Err: err, After: after}
		}
		return nil
	}
	return &ReplayError{Path: path, Line: se.Line, Stmt: se.Stmt, Err: se.Err, Detail: detail(ctx, db, se.Err), After: after}
}

// detail explains a constraint failure with the rows behind it: the
// duplicated values of a UNIQUE failure, the NULL count of a NOT NULL one.
func detail(ctx context.Context, db *sql.DB, err error) string {
	if d := duplicates(ctx, db, err); d != "" {
		return d
	}
	return nulls(ctx, db, err)
}

// notNullFailed matches SQLite's "NOT NULL constraint failed: t.c".
var notNullFailed = regexp.MustCompile(`NOT NULL constraint failed: ([^.,\s]+)\.([^,\s]+)`)

// nulls counts the NULLs behind a NOT NULL failure; a table copy fails on
// `new_t`, the NULLs are in t.
func nulls(ctx context.Context, db *sql.DB, err error) string {
	m := notNullFailed.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	table, col := m[1], m[2]
	for _, t := range []string{table, strings.TrimPrefix(table, "new_")} {
		var n int
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s IS NULL", ident.Quote(t), ident.Quote(col))
		if db.QueryRowContext(ctx, q).Scan(&n) == nil && n > 0 {
			s := "s"
			if n == 1 {
				s = ""
			}
			return fmt.Sprintf("%q.%q holds %d NULL%s in the directory's data", t, col, n, s)
		}
	}
	return ""
}

// uniqueFailed matches SQLite's "UNIQUE constraint failed: t.a, t.b".
var uniqueFailed = regexp.MustCompile(`UNIQUE constraint failed: ([^.,\s]+\.[^,\s]+(?:, [^.,\s]+\.[^,\s]+)*)`)

// duplicates names up to three duplicated value tuples behind a UNIQUE
// failure, or returns "" (not a UNIQUE failure, or no duplicates found).
// A table copy fails on `new_t` (left empty): the values are in t.
func duplicates(ctx context.Context, db *sql.DB, err error) string {
	m := uniqueFailed.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	table, _, _ := strings.Cut(m[1], ".")
	var cols []string
	for _, tc := range strings.Split(m[1], ", ") {
		t, c, _ := strings.Cut(tc, ".")
		if !strings.EqualFold(t, table) {
			return ""
		}
		cols = append(cols, c)
	}
	tables := []string{table}
	if t, ok := strings.CutPrefix(table, "new_"); ok {
		tables = append(tables, t)
	}
	for _, t := range tables {
		if d := duplicateValues(ctx, db, t, cols); d != "" {
			return d
		}
	}
	return ""
}

func duplicateValues(ctx context.Context, db *sql.DB, table string, cols []string) string {
	quoted, render, notNull := make([]string, len(cols)), make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = ident.Quote(c)
		render[i] = "quote(" + quoted[i] + ")"
		notNull[i] = quoted[i] + " IS NOT NULL" // NULLs never collide in a unique index
	}
	list := strings.Join(quoted, ", ")
	q := fmt.Sprintf("SELECT %s, count(*) FROM %s WHERE %s GROUP BY %s HAVING count(*) > 1 ORDER BY count(*) DESC, %s LIMIT 3",
		strings.Join(render, " || ', ' || "), ident.Quote(table), strings.Join(notNull, " AND "), list, list)
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return ""
	}
	defer rows.Close()
	var dups []string
	for rows.Next() {
		var v string
		var n int
		if rows.Scan(&v, &n) != nil {
			return ""
		}
		if len(cols) > 1 {
			v = "(" + v + ")"
		}
		dups = append(dups, fmt.Sprintf("%s (%d rows)", v, n))
	}
	if rows.Err() != nil || len(dups) == 0 {
		return ""
	}
	names := slices.Clone(cols)
	for i, c := range names {
		names[i] = fmt.Sprintf("%q", c)
	}
	return fmt.Sprintf("duplicate values in %q (%s) already in the directory's data: %s", table, strings.Join(names, ", "), strings.Join(dups, ", "))
}
