// Package analyze replays migration files statement by statement on an
// in-memory dev database and records the schema changes each statement
// makes. That is the input of Atlas's sqlcheck analyzers (lint) and of the
// data-loss guard (apply), as the Atlas CLI's lint "dev loader" builds it.
package analyze

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"
	_ "ariga.io/atlas/sql/sqlite/sqlitecheck" // registers the SQLite analyzers

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/runfile"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Session holds the analysed files and the dev database they ran on, which
// analyzers need; Close releases it.
type Session struct {
	Files []*sqlcheck.File
	Dev   *sqlclient.Client
	dev   *sqlitedb.Dev
}

// Close releases the dev database.
func (s *Session) Close() error { return s.dev.Close() }

// Load executes the base files, then each of files statement by statement,
// diffing the schema after each statement. Table copies (CREATE new_t,
// INSERT, DROP t, RENAME) are merged into one ModifyTable change, as Atlas's
// SQLite analyzers expect.
func Load(ctx context.Context, dir migdir.Dir, base, files []migrate.File) (*Session, error) {
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, err
	}
	s := &Session{dev: dev, Dev: &sqlclient.Client{
		Name:   "sqlite",
		DB:     dev.DB,
		Driver: dev.Driver,
		URL:    &sqlclient.URL{URL: &url.URL{Scheme: "sqlite"}, Schema: "main"},
	}}
	if err := s.load(ctx, dir, base, files); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Session) load(ctx context.Context, dir migdir.Dir, base, files []migrate.File) error {
	for _, f := range base {
		if err := s.exec(ctx, dir, f, nil); err != nil {
			return err
		}
	}
	prev, err := inspect(ctx, s.dev.Driver)
	if err != nil {
		return err
	}
	merge, err := mergeCopies()
	if err != nil {
		return err
	}
	for _, f := range files {
		sf := &sqlcheck.File{File: f, From: prev}
		err := s.exec(ctx, dir, f, func(q schema.ExecQuerier, st *migrate.Stmt) error {
			drv, err := sqlitedb.Driver(q) // q: the file's transaction
			if err != nil {
				return err
			}
			next, err := inspect(ctx, drv)
			if err != nil {
				return err
			}
			diff, err := s.dev.Driver.RealmDiff(prev, next)
			if err != nil {
				return err
			}
			sf.Changes = append(sf.Changes, &sqlcheck.Change{Stmt: st, Changes: FixRenames(st.Text, diff)})
			prev = next
			return nil
		})
		if err != nil {
			return err
		}
		sf.To = prev
		if sf.Sum, err = s.dev.Driver.RealmDiff(sf.From, sf.To); err != nil {
			return err
		}
		if err := merge.Analyze(ctx, &sqlcheck.Pass{File: sf, Dev: s.Dev, Reporter: sqlcheck.ReportWriterFunc(func(sqlcheck.Report) {})}); err != nil {
			return err
		}
		fixCopyRenames(sf)
		s.Files = append(s.Files, sf)
	}
	return nil
}

// exec runs f's statements as apply runs them (runfile); after is called
// after each one.
func (s *Session) exec(ctx context.Context, dir migdir.Dir, f migrate.File, after func(schema.ExecQuerier, *migrate.Stmt) error) error {
	return runfile.Replay(ctx, s.dev.DB, f, filepath.Join(dir.Path(), f.Name()), "replaying", after)
}

func inspect(ctx context.Context, drv migrate.Driver) (*schema.Realm, error) {
	sc, err := drv.InspectSchema(ctx, "", nil)
	if err != nil {
		return nil, err
	}
	return schema.NewRealm(sc), nil
}

// mergeCopies returns the first analyzer Atlas registers for SQLite: it
// rewrites table-copy statement sequences into one ModifyTable change.
func mergeCopies() (sqlcheck.Analyzer, error) {
	azs, err := sqlcheck.AnalyzerFor("sqlite", nil)
	if err != nil {
		return nil, err
	}
	if len(azs) == 0 {
		return nil, fmt.Errorf("no SQLite analyzers registered")
	}
	return azs[0], nil
}

// Stmt returns the file statement at pos, to read its directives (merged
// changes carry a synthetic statement without comments).
func Stmt(f *sqlcheck.File, pos int) *migrate.Stmt {
	stmts, err := migdir.StmtDecls(f.File)
	if err != nil {
		return nil
	}
	for _, st := range stmts {
		if st.Pos == pos {
			return st
		}
	}
	return nil
}

// Stmts returns the file statements a (possibly merged) change came from.
// A merged table copy joins its CREATE, DROP and RENAME statements but not
// the INSERT between them, so every statement from the first to the last
// joined one belongs to it.
func Stmts(f *sqlcheck.File, c *sqlcheck.Change) []*migrate.Stmt {
	stmts, err := migdir.StmtDecls(f.File)
	if err != nil {
		return nil
	}
	first, last := -1, -1
	for i, st := range stmts {
		if st.Pos >= c.Stmt.Pos && strings.Contains(c.Stmt.Text, st.Text) {
			if first == -1 {
				first = i
			}
			last = i
		}
	}
	if first == -1 {
		return nil
	}
	return stmts[first : last+1]
}

// Nolint reports whether the statements, or the file's header, excuse code
// (or its analyzer) with an `-- atlas:nolint [codes|analyzers]` directive;
// a directive without arguments excuses everything.
func Nolint(f migrate.File, stmts []*migrate.Stmt, code, analyzer string) bool {
	var ds []string
	if lf, ok := f.(*migrate.LocalFile); ok {
		ds = append(ds, lf.Directive("nolint")...)
	}
	for _, st := range stmts {
		ds = append(ds, st.Directive("nolint")...)
	}
	for _, d := range ds {
		args := strings.Fields(d)
		if len(args) == 0 {
			return true
		}
		for _, a := range args {
			if a == code || a == analyzer {
				return true
			}
		}
	}
	return false
}
