package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"
	_ "ariga.io/atlas/sql/postgres/postgrescheck" // registers the PostgreSQL analyzers
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/structmigrate/structmigrate/internal/analyze"
	"github.com/structmigrate/structmigrate/internal/dialect"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/lint"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/runfile"
)

// LintInput is a lint of a migration directory on the target's dev
// database. Options are lint's: the directory, which files are new, the
// analyzers' severities, and the models (nil skips the sync check).
type LintInput struct {
	Target   Target
	Options  lint.Options
	SyncHint string // how to write the migration the structs need ("": lint's)
}

// Lint checks the directory as lint.Run does on SQLite, on the dialect's
// dev database (the env's dev url, or a temporary database on the target's
// server): integrity, history and the base's files (lint.Start, Review);
// every file replayed as apply runs it, a new file's losses on the rows
// the earlier files store measured (SM701) and its down script run right
// after it (SM401); Atlas's analyzers for the
// dialect on the new files; the structs in sync with the directory, as
// `diff --check` finds it. A statement that fails to replay is reported
// (SM201) and ends the run. The report is lint's, printed by its Write.
func Lint(ctx context.Context, in LintInput) (*lint.Report, error) {
	o := in.Options
	r, sel, err := lint.Start(o)
	if err != nil || sel == nil {
		return r, err
	}
	if err := sel.Review(o, r); err != nil {
		return nil, err
	}
	dev, err := in.Target.openDev(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	if err := (&linter{in: in, dev: dev, r: r}).run(ctx, sel); err != nil {
		return nil, err
	}
	if err := dev.Close(); err != nil {
		return nil, err
	}
	r.Sort()
	return r, nil
}

type linter struct {
	in  LintInput
	dev *dialect.Dev
	r   *lint.Report
	// losses are reported after the analyzers' findings, as SQLite's lint
	// orders them at one statement.
	losses []func() error
	down   *migdir.Down
	// downs are the down scripts' findings, reported only when the whole
	// directory replays (SQLite's lint then reports the failure alone).
	downs []func()
}

func (l *linter) run(ctx context.Context, sel *lint.Selection) error {
	o := l.in.Options
	l.down = sel.Down
	files, ok, err := l.replay(ctx, sel)
	if err != nil || !ok {
		return err
	}
	name := string(l.in.Target.Dialect.Name())
	azs, err := sqlcheck.AnalyzerFor(name, nil)
	if err != nil {
		return err
	}
	client := &sqlclient.Client{Name: name, DB: l.dev.DB, Driver: l.dev.Driver, URL: &sqlclient.URL{URL: &url.URL{Scheme: name}}}
	if err := lint.Analyze(ctx, o, files, client, azs, l.r); err != nil {
		return err
	}
	for _, report := range l.losses {
		if err := report(); err != nil {
			return err
		}
	}
	for _, report := range l.downs {
		report()
	}
	if o.Models == nil {
		return nil
	}
	// After the replay, which left the dev database empty again.
	f, err := diff(ctx, DiffInput{Target: l.in.Target, Dir: o.Dir, Models: Models{List: o.Models, Options: o.Desired},
		Name: "pending", Version: "next", Check: true}, l.dev)
	if err != nil {
		return err
	}
	if f != nil {
		l.r.AddOutOfSync(o.Dir.Path(), f.File.Bytes(), l.in.SyncHint)
	}
	return nil
}

// replay runs the directory's files on the dev database in order, each as
// apply runs it, and returns the new files with the schema changes each of
// their statements made (the analyzers' input, as the Atlas CLI's dev
// loader records it). ok is false when a statement failed (reported). The
// dev database is emptied again afterwards.
func (l *linter) replay(ctx context.Context, sel *lint.Selection) (_ []*sqlcheck.File, ok bool, err error) {
	restore, err := l.dev.Driver.Snapshot(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("dev database: %w", err)
	}
	defer func() {
		// Not ctx: an env's dev database must be left empty after a cancel too.
		if rerr := restore(context.WithoutCancel(ctx)); rerr != nil {
			err = errors.Join(err, fmt.Errorf("dev database: clean up: %w", rerr))
		}
	}()
	var (
		news []*sqlcheck.File
		prev *schema.Realm // recorded from the first new file on (nil before)
	)
	for _, f := range sel.Files {
		isNew := sel.IsNew[f.Name()]
		if isNew && prev == nil {
			if prev, err = inspectRealm(ctx, l.dev.Driver); err != nil {
				return nil, false, err
			}
		}
		sf, se, err := l.file(ctx, f, isNew, prev)
		switch {
		case err != nil:
			return nil, false, err
		case se != nil:
			l.r.AddReplay(se)
			return nil, false, nil
		}
		if prev != nil {
			prev = sf.To
		}
		if isNew {
			news = append(news, sf)
			if err := l.reversible(ctx, f, sf.From); err != nil {
				return nil, false, err
			}
		}
	}
	return news, true, nil
}

// file runs f as apply does: in a transaction of its own under the
// data-loss guard (a new file's losses reported), or, under
// `-- atlas:txmode none`, statement by statement (stmt). With prev
// it records the changes each statement makes from prev. A failing
// statement is returned as a *migdir.StmtError.
func (l *linter) file(ctx context.Context, f migrate.File, isNew bool, prev *schema.Realm) (*sqlcheck.File, *migdir.StmtError, error) {
	var detail map[string]bool
	for {
		sf, retry, se, err := l.fileOnce(ctx, f, isNew, prev, detail)
		if retry == nil || err != nil || se != nil {
			return sf, se, err
		}
		detail = retry // the digests changed: once more, value by value, as apply does
	}
}

func (l *linter) fileOnce(ctx context.Context, f migrate.File, isNew bool, prev *schema.Realm, detail map[string]bool) (
	_ *sqlcheck.File, retry map[string]bool, _ *migdir.StmtError, err error) {
	path := filepath.Join(l.in.Options.Dir.Path(), f.Name())
	// The statements as the executor splits them (the dialect's scanner).
	stmts, err := migrate.FileStmtDecls(l.dev.Driver, f)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	sf := &sqlcheck.File{File: f, From: prev}
	failed := func(st *migrate.Stmt, err error) *migdir.StmtError {
		line := migdir.Line(f.Bytes(), st.Pos)
		if st.Pos < 0 {
			line = 0
		}
		return &migdir.StmtError{Op: "replaying", Path: path, Line: line, Stmt: st.Text, Err: err}
	}
	// each runs the statements through exec (ran: the statement's own
	// error), recording through drv the changes each makes.
	each := func(drv migrate.Driver, exec func(*migrate.Stmt) (ran, err error)) (*migdir.StmtError, error) {
		for _, st := range stmts {
			ran, err := exec(st)
			var tc *guard.TxControlError
			switch {
			case err != nil && ctx.Err() != nil:
				return nil, ctx.Err()
			case ran != nil:
				return failed(st, ran), nil
			case errors.As(err, &tc): // apply refuses transaction control too
				return failed(st, err), nil
			case err != nil:
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if err := l.record(ctx, drv, sf, st); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	if !runfile.InTx(f) {
		se, err := each(l.dev.Driver, func(st *migrate.Stmt) (error, error) {
			err := l.stmt(ctx, f, path, st, isNew)
			var ran *stmtFailed
			if errors.As(err, &ran) {
				return ran.err, err
			}
			return nil, err
		})
		if err != nil || se != nil {
			return nil, nil, se, err
		}
		return sf, nil, nil, l.sum(sf)
	}
	tx, err := l.dev.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	done := false
	defer func() {
		if !done {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	unit, err := guard.BeginPG(ctx, tx, guard.Options{Name: path, Detail: detail})
	if err != nil {
		return nil, nil, nil, err
	}
	defer unit.Close()
	drv, err := l.in.Target.Dialect.Driver(tx)
	if err != nil {
		return nil, nil, nil, err
	}
	se, err := each(drv, func(st *migrate.Stmt) (error, error) { return execUnder(ctx, unit, tx, st.Text) })
	if err != nil || se != nil {
		return nil, nil, se, err
	}
	if isNew {
		res, err := unit.End(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		if len(res.Suspects) > 0 && detail == nil {
			return nil, res.Suspects, nil, nil
		}
		res.SettleSuspects(path)
		l.losses = append(l.losses, func() error { return l.r.AddLosses(f, path, unit, res.Losses) })
	}
	done = true
	if err := tx.Commit(); err != nil {
		// Deferred constraints are checked here: the file fails as a whole.
		return nil, nil, failed(&migrate.Stmt{Pos: -1, Text: "COMMIT"}, err), nil
	}
	return sf, nil, nil, l.sum(sf)
}

// record appends the changes st made, inspected through drv (the file's
// transaction, or the dev database), when the file is recorded.
func (l *linter) record(ctx context.Context, drv migrate.Driver, sf *sqlcheck.File, st *migrate.Stmt) error {
	if sf.From == nil {
		return nil
	}
	prev := sf.To
	if prev == nil {
		prev = sf.From
	}
	next, err := inspectRealm(ctx, drv)
	if err != nil {
		return err
	}
	changes, err := l.dev.Driver.RealmDiff(prev, next)
	if err != nil {
		return err
	}
	sf.Changes = append(sf.Changes, &sqlcheck.Change{Stmt: st, Changes: analyze.FixRenames(st.Text, changes)})
	sf.To = next
	return nil
}

// sum completes a recorded file: its state after, and its changes in sum.
func (l *linter) sum(sf *sqlcheck.File) (err error) {
	if sf.From == nil {
		return nil
	}
	if sf.To == nil { // no statements
		sf.To = sf.From
	}
	sf.Sum, err = l.dev.Driver.RealmDiff(sf.From, sf.To)
	return err
}

// inspectRealm is the connected schema (inspectLive: where the
// unqualified files run), as a realm.
func inspectRealm(ctx context.Context, drv migrate.Driver) (*schema.Realm, error) {
	s, err := inspectLive(ctx, drv)
	if err != nil {
		return nil, fmt.Errorf("dev database: inspect: %w", err)
	}
	return schema.NewRealm(s), nil
}

// reversible runs f's down script, when it has one, right after f on the
// dev database, as rollback runs it (in a transaction, under the guard,
// which refuses transaction control), and rolls it back: the replay goes
// on from f's state. It notes SM401 when a statement fails or when the
// schema left is not before, the state before f (what SQLite's lint and
// diff's verify ask).
func (l *linter) reversible(ctx context.Context, f migrate.File, before *schema.Realm) (err error) {
	ds, ok := l.down.Script(f.Name())
	if !ok {
		return nil
	}
	path := filepath.Join(l.down.Path(), ds.Name())
	stmts, err := migrate.FileStmtDecls(l.dev.Driver, ds)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tx, err := l.dev.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tx.Rollback()) }()
	unit, err := guard.BeginPG(ctx, tx, guard.Options{Name: path})
	if err != nil {
		return err
	}
	defer unit.Close()
	for _, st := range stmts {
		ran, err := execUnder(ctx, unit, tx, st.Text)
		var tc *guard.TxControlError
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case ran != nil, errors.As(err, &tc):
			se := &migdir.StmtError{Op: "reverting", Path: path, Line: migdir.Line(ds.Bytes(), st.Pos), Stmt: st.Text, Err: err}
			l.downs = append(l.downs, func() { l.r.AddDownFails(se) })
			return nil
		case err != nil:
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	drv, err := l.in.Target.Dialect.Driver(tx)
	if err != nil {
		return err
	}
	after, err := inspectLive(ctx, drv)
	if err != nil {
		return err
	}
	left, err := changesSQL(ctx, drv, after, before.Schemas[0])
	if err != nil {
		return err
	}
	if len(left) > 0 {
		l.downs = append(l.downs, func() { l.r.AddIrreversible(path, f.Name(), left) })
	}
	return nil
}
