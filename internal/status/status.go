// Package status reports where a database stands against the migration
// directory, following the Atlas CLI's `migrate status` rules.
package status

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/apply"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Status values, as the CLI prints them.
const (
	OK      = "OK"
	Pending = "PENDING"
)

// Report mirrors the CLI's MigrateStatus (same JSON field names).
type Report struct {
	Available  []string            `json:"Available,omitempty"` // file names
	Pending    []string            `json:"Pending,omitempty"`
	OutOfOrder []string            `json:"OutOfOrder,omitempty"`
	Applied    []*migrate.Revision `json:"Applied,omitempty"`
	Current    string              `json:"Current,omitempty"`
	Next       string              `json:"Next,omitempty"`
	Count      int                 `json:"Count,omitempty"`
	Total      int                 `json:"Total,omitempty"`
	Status     string              `json:"Status,omitempty"`
	Error      string              `json:"Error,omitempty"`
	SQL        string              `json:"SQL,omitempty"`
	// Drift, beyond the CLI's report: the statements a migration generated
	// from the structs would hold, and those that would make the live
	// database match the directory at its current version.
	StructsDrift  []string `json:"StructsDrift,omitempty"`
	DatabaseDrift []string `json:"DatabaseDrift,omitempty"`
}

// Get computes the report for db (which status never changes). models, when
// given, are checked against the directory too.
func Get(ctx context.Context, db *sql.DB, dir migdir.Dir, models []any) (*Report, error) {
	return GetExcluding(ctx, db, dir, models, nil)
}

// GetExcluding is Get leaving out of the drift checks the tables (and
// TABLE.COLUMN columns) that the glob patterns match: the env's exclude,
// tables no model owns.
func GetExcluding(ctx context.Context, db *sql.DB, dir migdir.Dir, models []any, exclude []string) (*Report, error) {
	if err := migdir.Validate(dir); err != nil {
		return nil, err
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	store := revisions.New(db)
	all, err := dir.Files()
	if err != nil {
		return nil, err
	}
	r := &Report{}
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
	r.Count = len(applied)
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
	r.Total = len(available)
	if n := len(applied); n > 0 {
		last := applied[n-1]
		if last.Error != "" {
			r.Error, r.SQL = last.Error, last.ErrorStmt
		}
	}
	if err := r.drift(ctx, db, dir, models, exclude, applied, outOfOrder); err != nil {
		return nil, err
	}
	return r, nil
}

func names(fs []migrate.File) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name()
	}
	return out
}

// Print writes the report in the CLI's text layout, followed by the pending
// files so a reader sees what `apply` would run.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "Migration Status: %s\n", r.Status)
	fmt.Fprintf(w, "  -- Current Version: %s\n", r.Current)
	next := r.Next
	if next == "" {
		next = "UNKNOWN"
	}
	fmt.Fprintf(w, "  -- Next Version:    %s\n", next)
	fmt.Fprintf(w, "  -- Executed Files:  %d\n", r.Count)
	// The CLI's wording: "1 (out of order)", "3 (2 out of order)".
	fmt.Fprintf(w, "  -- Pending Files:   %d", len(r.Pending)+len(r.OutOfOrder))
	switch {
	case len(r.OutOfOrder) > 0 && len(r.Pending) > 0:
		fmt.Fprintf(w, " (%d out of order)", len(r.OutOfOrder))
	case len(r.OutOfOrder) > 0:
		fmt.Fprint(w, " (out of order)")
	}
	fmt.Fprintln(w)
	for _, a := range r.Applied {
		fmt.Fprintf(w, "     applied: %s_%s (%s, %s)\n", a.Version, a.Description, a.Type, a.ExecutedAt.Format("2006-01-02 15:04:05"))
	}
	for _, p := range r.Pending {
		fmt.Fprintf(w, "     pending: %s\n", p)
	}
	for _, p := range r.OutOfOrder {
		fmt.Fprintf(w, "     out of order: %s\n", p)
	}
	if len(r.StructsDrift) > 0 {
		fmt.Fprintf(w, "\nThe structs changed but no migration was generated (run make migrate-diff name=<name>):\n")
		for _, s := range r.StructsDrift {
			fmt.Fprintf(w, "  %s;\n", s)
		}
	}
	if len(r.DatabaseDrift) > 0 {
		fmt.Fprintf(w, "\nThe database differs from the migration directory at %s (changed by hand?); to reconcile:\n", r.Current)
		for _, s := range r.DatabaseDrift {
			fmt.Fprintf(w, "  %s;\n", s)
		}
	}
	if len(r.OutOfOrder) > 0 && r.Error != "" {
		// Not an attempt that failed: apply refuses these files (the CLI
		// runs them only with --exec-order non-linear, which structmigrate
		// does not offer). Give the file a newer version to apply it.
		fmt.Fprintf(w, "\n  ERROR: %s\n", r.Error)
		fmt.Fprintf(w, "  (apply refuses a file older than the current version %s: rename it with a newer version and re-hash)\n", r.Current)
	} else if r.Error != "" {
		fmt.Fprintf(w, "\nLast migration attempt had errors:\n")
		if r.SQL != "" {
			fmt.Fprintf(w, "  -- SQL:   %s\n", r.SQL)
		}
		fmt.Fprintf(w, "  -- ERROR: %s\n", r.Error)
	}
}
