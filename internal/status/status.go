// Package status reports where a database stands against the migration
// directory, following the Atlas CLI's `migrate status` rules.
package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Status values, as the CLI prints them.
const (
	OK      = "OK"
	Pending = "PENDING"
)

// Report mirrors the CLI's MigrateStatus: same JSON field names and
// meanings (see MarshalJSON for the file lists).
type Report struct {
	Dir        string              `json:"-"` // the directory, for Env
	Driver     string              `json:"-"` // Env's driver as the CLI names it; "": sqlite3
	Available  []string            `json:"-"` // file names
	Pending    []string            `json:"-"`
	OutOfOrder []string            `json:"-"`
	Applied    []*migrate.Revision `json:"Applied,omitempty"`
	Current    string              `json:"Current,omitempty"`
	Next       string              `json:"Next,omitempty"`
	// Count and Total, as the CLI: the statements of the last file applied
	// so far and in all, set only while it is partially applied.
	Count  int    `json:"Count,omitempty"`
	Total  int    `json:"Total,omitempty"`
	Status string `json:"Status,omitempty"`
	Error  string `json:"Error,omitempty"`
	SQL    string `json:"SQL,omitempty"`
	// Beyond the CLI's report: the statements a migration generated from
	// the structs would hold, and those that would make the live database
	// match the directory at its current version; and why neither could
	// be computed (a file that fails to replay on an empty database).
	StructsDrift  []string `json:"StructsDrift,omitempty"`
	DatabaseDrift []string `json:"DatabaseDrift,omitempty"`
	ReplayError   string   `json:"ReplayError,omitempty"`

	outOfOrder []migrate.File // the files of OutOfOrder, for drift
}

// Left is the number of statements of a partially applied file still to run.
func (r *Report) Left() int { return r.Total - r.Count }

// Partial reports a revision whose file stopped part way (and that nobody
// marked resolved with `set`), as the CLI decides it.
func Partial(rev *migrate.Revision) bool {
	return !rev.Type.Has(migrate.RevisionTypeResolved) && rev.Applied < rev.Total
}

// Input is what the database and directory are checked against.
type Input struct {
	// Models, when given, are checked against the directory too, their
	// desired state built with Desired (the models package's GORM config).
	Models  []any
	Desired desired.Options
	// Exclude lists glob patterns of the tables (and TABLE.COLUMN
	// columns) left out of the drift checks: the env's exclude, tables no
	// model owns.
	Exclude []string
}

// Get computes the report for db (which status never changes).
func Get(ctx context.Context, db *sql.DB, dir migdir.Dir, in Input) (*Report, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	r, err := Versions(ctx, drv, revisions.New(db), dir)
	if err != nil {
		return nil, err
	}
	if err := r.drift(ctx, db, dir, in.Models, in.Desired, in.Exclude, r.Applied, r.outOfOrder); err != nil {
		return nil, err
	}
	return r, nil
}

// Versions computes the report's versions, pending files and errors (all
// but drift) from the store's revisions, over a driver of any dialect;
// dir is validated.
func Versions(ctx context.Context, drv migrate.Driver, store migrate.RevisionReadWriter, dir migdir.Dir) (*Report, error) {
	all, err := dir.Files()
	if err != nil {
		return nil, err
	}
	r := &Report{Dir: dir.Path()}
	applied, err := store.ReadRevisions(ctx)
	if err != nil {
		return nil, err
	}
	r.Applied = applied
	if err := CheckHistory(dir, applied); err != nil {
		return nil, err
	}
	var pending, outOfOrder []migrate.File
	// Pending refuses a non-clean database without history, as apply would.
	ex, err := migrate.NewExecutor(drv, dir, store)
	if err != nil {
		return nil, err
	}
	p, err := ex.Pending(ctx)
	var hn *migrate.HistoryNonLinearError
	var nc *migrate.NotCleanError
	switch {
	case err == nil:
		pending = p
	case errors.Is(err, migrate.ErrNoPendingFiles):
		pending = nil
	case errors.As(err, &hn):
		pending, outOfOrder = hn.Pending, hn.OutOfOrder
		r.Error = err.Error()
	case errors.As(err, &nc):
		return nil, &apply.NotCleanError{Err: err}
	default:
		return nil, err
	}
	r.Pending, r.OutOfOrder = names(pending), names(outOfOrder)
	available := all
	if len(applied) == 0 {
		available = pending
	}
	r.Available = names(available)
	r.Current = "No migration applied yet"
	if len(applied) > 0 {
		r.Current = applied[len(applied)-1].Version
	}
	switch {
	case len(outOfOrder) > 0:
		// As the CLI: apply refuses these files, so no version is next.
		r.Status, r.Next = Pending, ""
	case len(pending) > 0:
		r.Status, r.Next = Pending, pending[0].Version()
	default:
		r.Status, r.Next = OK, "Already at latest version"
	}
	if n := len(applied); n > 0 {
		last := applied[n-1]
		// A failure that `set` resolved is history, not news.
		if last.Error != "" && !last.Type.Has(migrate.RevisionTypeResolved) {
			r.Error, r.SQL = oneLine(last.Error), oneLine(last.ErrorStmt)
		}
		if Partial(last) {
			if err := r.partial(drv, all, last); err != nil {
				return nil, err
			}
		}
	}
	r.outOfOrder = outOfOrder
	return r, nil
}

// partial sets Count and Total for the partially applied last file: the
// statements run, and those its file holds (as the CLI counts them).
func (r *Report) partial(drv migrate.Driver, files []migrate.File, last *migrate.Revision) error {
	for _, f := range files {
		if f.Version() != last.Version {
			continue
		}
		stmts, err := migrate.FileStmts(drv, f)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(r.Dir, f.Name()), err)
		}
		r.Count, r.Total = last.Applied, len(stmts)
		return nil
	}
	return &MissingFileError{Version: last.Version, Desc: last.Description, Dir: r.Dir}
}

func names(fs []migrate.File) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name()
	}
	return out
}
