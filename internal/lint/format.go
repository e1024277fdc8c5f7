package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// hints tell what to do about each code.
var hints = map[string]string{
	CodeChecksum:      "review the change, then run `structmigrate hash` (or `atlas migrate hash`)",
	CodeDownChecksum:  "review the down scripts, then run `structmigrate hash`",
	CodeReplay:        "fix the file so it runs on an empty database in order",
	CodeOutOfSync:     "run `make migrate-diff name=<name>` and commit the file it writes",
	CodeIrreversible:  "make the down script revert exactly what its up file does",
	CodeNonLinear:     "regenerate the migration after merging the base (`make migrate-diff`), so its version is the newest",
	CodeDupVersion:    "give one of the files a new version (regenerate it with `make migrate-diff`)",
	CodeMergedChanged: "restore the file as it is on the base (git checkout BASE -- FILE, then structmigrate hash) and put the change in a new migration",
	CodeUnconfirmed:   "check the UPDATE's value, delete the `-- structmigrate:confirm` line, then run `structmigrate hash`",
	CodeStaleDoc:      "regenerate it: `make schema-doc` (structmigrate schema --format mermaid --doc > docs/schema.md), and commit it",
	CodeDataLoss:      "apply refuses it as well; if intended, declare it with -- atlas:nolint DS102 (rows, tables) or DS103 (values, columns) on the statement",
	"DS101":           "dropping a schema loses its data; excuse with -- atlas:nolint DS101 after review",
	"DS102":           "dropping a table loses its rows; if intended, excuse the statement with -- atlas:nolint DS102",
	"DS103":           "dropping a column loses its values (a rename must be stated, see docs); if intended, excuse with -- atlas:nolint DS103",
	"MF101":           "the unique index fails on duplicate values: check or deduplicate the data first",
	"MF102":           "making the index unique fails on duplicate values: check the data first",
	"MF103":           "give the column a default (GORM `default:` tag) or make it nullable",
	"MF104":           "backfill NULLs and give the column a default before making it NOT NULL",
	"LT101":           "backfill NULLs and give the column a default before making it NOT NULL",
	"BC101":           "running app versions still use the old table name: deploy the rename in two steps",
	"BC102":           "running app versions still use the old column name: deploy the rename in two steps",
	"CD101":           "dropping a foreign key lets orphan rows in; make sure that is intended",
}

// Write prints the report in format: text, json or github.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "github":
		for _, d := range r.Diagnostics {
			level := d.Severity
			if d.Excused {
				level = "notice"
			}
			msg := d.Message
			switch {
			case d.Excused: // reviewed: say so, as the text format does, not how to excuse it
				msg += " (excused by -- atlas:nolint)"
			case d.Hint != "":
				msg += " — " + d.Hint
			}
			fmt.Fprintf(w, "::%s file=%s,line=%d,title=%s::%s\n", level, d.File, max(d.Line, 1), d.Code, escape(msg))
		}
		return r.writeSummary(w)
	case "text", "":
		for _, d := range r.Diagnostics {
			loc := d.File
			if d.Line > 0 {
				loc = fmt.Sprintf("%s:%d", d.File, d.Line)
			}
			fmt.Fprintf(w, "%s: %s: %s", loc, d.Code, d.Message)
			if d.Excused {
				fmt.Fprintf(w, " (excused by -- atlas:nolint)")
			} else if d.Severity == SeverityWarning {
				fmt.Fprintf(w, " (warning)")
			}
			fmt.Fprintln(w)
			if d.SQL != "" {
				for _, l := range strings.Split(strings.TrimRight(d.SQL, "\n"), "\n") {
					fmt.Fprintf(w, "    | %s\n", l)
				}
			}
			if d.Hint != "" && !d.Excused {
				fmt.Fprintf(w, "    hint: %s\n", d.Hint)
			}
		}
		return r.writeSummary(w)
	default:
		return fmt.Errorf("unknown format %q: want text, json or github", format)
	}
}

func (r *Report) writeSummary(w io.Writer) error {
	news := "none"
	if len(r.NewFiles) > 0 {
		news = strings.Join(r.NewFiles, ", ")
	}
	warnings := ""
	if r.Warnings > 0 {
		warnings = fmt.Sprintf(", %d warnings", r.Warnings)
	}
	_, err := fmt.Fprintf(w, "lint %s: %d errors, %d excused%s; new files: %s\n", r.Dir, r.Errors, r.Excused, warnings, news)
	return err
}

// escape encodes a workflow-command message (GitHub's rules).
func escape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
