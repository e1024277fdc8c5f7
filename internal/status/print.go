package status

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"ariga.io/atlas/sql/migrate"
)

// PrintOptions tune the text report.
type PrintOptions struct {
	// Verbose lists every applied and pending file; without it the report
	// is the CLI's summary, with at most ListLimit pending files named.
	Verbose bool
}

// ListLimit is how many pending or out-of-order files the summary names.
const ListLimit = 10

// Print writes the report in the CLI's text layout (its `migrate status`
// template, partially applied file included), then the files apply would
// run, then drift.
func (r *Report) Print(w io.Writer, o PrintOptions) {
	fmt.Fprintf(w, "Migration Status: %s\n", r.Status)
	fmt.Fprintf(w, "  -- Current Version: %s", r.Current)
	if r.Total > 0 {
		fmt.Fprintf(w, " (%d statements applied)", r.Count)
	}
	next := r.Next
	if next == "" {
		next = "UNKNOWN"
	}
	fmt.Fprintf(w, "\n  -- Next Version:    %s", next)
	if r.Total > 0 {
		fmt.Fprintf(w, " (%d statements left)", r.Left())
	}
	fmt.Fprintf(w, "\n  -- Executed Files:  %d", len(r.Applied))
	if r.Total > 0 {
		fmt.Fprint(w, " (last one partially)")
	}
	// The CLI's wording: "1 (out of order)", "3 (2 out of order)".
	fmt.Fprintf(w, "\n  -- Pending Files:   %d", len(r.Pending)+len(r.OutOfOrder))
	switch {
	case len(r.OutOfOrder) > 0 && len(r.Pending) > 0:
		fmt.Fprintf(w, " (%d out of order)", len(r.OutOfOrder))
	case len(r.OutOfOrder) > 0:
		fmt.Fprint(w, " (out of order)")
	}
	fmt.Fprintln(w)
	if o.Verbose {
		for _, a := range r.Applied {
			fmt.Fprintf(w, "     applied: %s_%s (%s, %s)\n", a.Version, a.Description, a.Type, a.ExecutedAt.Format("2006-01-02 15:04:05"))
		}
	}
	list(w, "pending", r.Pending, o.Verbose)
	list(w, "out of order", r.OutOfOrder, o.Verbose)
	if len(r.StructsDrift) > 0 {
		fmt.Fprintf(w, "\nThe structs changed but no migration was generated (run make migrate-diff name=<name>):\n")
		for _, s := range r.StructsDrift {
			fmt.Fprintf(w, "  %s\n", terminated(s))
		}
	}
	if len(r.DatabaseDrift) > 0 {
		fmt.Fprintf(w, "\nThe database differs from the migration directory at %s (changed by hand?); to reconcile:\n", r.Current)
		for _, s := range r.DatabaseDrift {
			fmt.Fprintf(w, "  %s\n", terminated(s))
		}
	}
	if r.ReplayError != "" {
		fmt.Fprintf(w, "\nThe migration directory does not replay on an empty database, so drift is unknown:\n  %s\n", r.ReplayError)
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

// list names files, all of them when verbose, else the first ListLimit.
func list(w io.Writer, label string, files []string, verbose bool) {
	for i, f := range files {
		if !verbose && i == ListLimit {
			fmt.Fprintf(w, "     … and %d more %s (status -v lists every file)\n", len(files)-ListLimit, label)
			return
		}
		fmt.Fprintf(w, "     %s: %s\n", label, f)
	}
}

// file is how the CLI writes a migration file in JSON.
type file struct {
	Name        string `json:"Name,omitempty"`
	Version     string `json:"Version,omitempty"`
	Description string `json:"Description,omitempty"`
}

func files(names []string) []file {
	out := make([]file, len(names))
	for i, n := range names {
		f := migrate.NewLocalFile(n, nil)
		out[i] = file{Name: n, Version: f.Version(), Description: f.Desc()}
	}
	return out
}

// env is the CLI's Env object; the SQLite driver is named as the CLI names it.
type env struct {
	Driver string `json:"Driver,omitempty"`
	Dir    string `json:"Dir,omitempty"`
}

// MarshalJSON writes the report as the CLI's `migrate status --format
// '{{ json . }}'`: the file lists as objects, Env included.
func (r *Report) MarshalJSON() ([]byte, error) {
	type plain Report // without this method
	return json.Marshal(struct {
		Env        env    `json:"Env"`
		Available  []file `json:"Available,omitempty"`
		OutOfOrder []file `json:"OutOfOrder,omitempty"`
		Pending    []file `json:"Pending,omitempty"`
		*plain
	}{env{Driver: r.driver(), Dir: r.Dir}, files(r.Available), files(r.OutOfOrder), files(r.Pending), (*plain)(r)})
}

// driver is the Env's Driver: the CLI's name of the database driver.
func (r *Report) driver() string {
	if r.Driver != "" {
		return r.Driver
	}
	return "sqlite3"
}

// oneLine folds an error or statement onto one line, as the CLI does.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// terminated ends a drift statement with ";"; a comment (a change no
// statement makes, e.g. an enum label PostgreSQL cannot drop) stays as it is.
func terminated(s string) string {
	if strings.HasPrefix(s, "--") {
		return s
	}
	return s + ";"
}
