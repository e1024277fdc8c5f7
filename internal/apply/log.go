package apply

import (
	"fmt"
	"io"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// logger prints the Executor's progress in the Atlas CLI's layout, adding the
// time each statement and file took.
type logger struct {
	w                 io.Writer
	start, file, stmt time.Time
	pending           string // statement being executed
	files, stmts      int
}

func newLogger(w io.Writer) *logger { return &logger{w: w, start: time.Now()} }

func (l *logger) intro(from string, files []migrate.File) {
	to := files[len(files)-1].Version()
	if from == "" {
		fmt.Fprintf(l.w, "Migrating to version %s (%d migrations in total):\n", to, len(files))
		return
	}
	fmt.Fprintf(l.w, "Migrating to version %s from %s (%d migrations in total):\n", to, from, len(files))
}

// Log implements migrate.Logger.
func (l *logger) Log(e migrate.LogEntry) {
	switch e := e.(type) {
	case migrate.LogFile:
		l.file = time.Now()
		fmt.Fprintf(l.w, "\n  -- migrating version %s (%s)\n", e.File.Version(), e.File.Name())
		if e.Skip > 0 {
			fmt.Fprintf(l.w, "  -- resuming after %d statements already applied\n", e.Skip)
		}
	case migrate.LogStmt:
		l.stmtDone()
		l.stmt, l.pending = time.Now(), e.SQL
	case migrate.LogError:
		if l.pending != "" {
			l.printStmt("failed")
		}
		fmt.Fprintf(l.w, "  -- error: %v\n", e.Error)
	}
}

// stmtDone prints the previous statement once the next event shows it
// succeeded; its time includes the revision write that follows it.
func (l *logger) stmtDone() {
	if l.pending != "" {
		l.printStmt("ok (" + since(l.stmt) + ")")
		l.stmts++
	}
}

func (l *logger) printStmt(status string) {
	text := strings.ReplaceAll(strings.TrimSpace(l.pending), "\n", "\n       ")
	fmt.Fprintf(l.w, "    -> %s;\n       %s\n", strings.TrimSuffix(text, ";"), status)
	l.pending = ""
}

func (l *logger) fileDone() {
	l.stmtDone()
	l.files++
	fmt.Fprintf(l.w, "  -- ok (%s)\n", since(l.file))
}

func (l *logger) done() {
	fmt.Fprintf(l.w, "\n  -------------------------\n  -- %s\n  -- %s\n  -- %s\n",
		since(l.start), plural(l.files, "migration"), plural(l.stmts, "sql statement"))
}

func since(t time.Time) string {
	d := time.Since(t)
	if d > time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
