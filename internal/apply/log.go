package apply

import (
	"fmt"
	"io"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
)

// Logger prints migration progress in the Atlas CLI's layout, adding the
// time each statement and file took. It serves the Executor (as a
// migrate.Logger) and rollback, which drives it directly.
type Logger struct {
	w                 io.Writer
	start, file, stmt time.Time
	fileName          string
	pending           string // statement being executed
	files, stmts      int
	// Progress, when set, redraws a "still running" line at this interval
	// while a statement runs; only for terminals.
	Progress time.Duration
	stop     chan struct{}
	stopped  chan struct{}
	muted    bool // a rerun: statement lines are not printed again
}

// Rerun mutes the section and statement lines of a second run of the same
// work (the data-loss guard's value-by-value pass) and restarts the counts;
// notes and totals still print.
func (l *Logger) Rerun() { l.muted, l.files, l.stmts = true, 0, 0 }

// out is where section and statement lines go.
func (l *Logger) out() io.Writer {
	if l.muted {
		return io.Discard
	}
	return l.w
}

// NewLogger starts the clock.
func NewLogger(w io.Writer) *Logger { return &Logger{w: w, start: time.Now()} }

// ProgressInterval is how often a terminal sees a long statement's progress.
const ProgressInterval = time.Second

// Intro prints the first line.
func (l *Logger) Intro(format string, args ...any) { fmt.Fprintf(l.out(), format+"\n", args...) }

// File starts a file section.
func (l *Logger) File(format string, args ...any) {
	l.file = time.Now()
	l.fileName = fmt.Sprintf(format, args...)
	fmt.Fprintf(l.out(), "\n  -- "+format+"\n", args...)
}

// Stmt marks the start of a statement, closing the previous one.
func (l *Logger) Stmt(sql string) {
	l.stmtDone()
	l.stmt, l.pending = time.Now(), sql
	if l.Progress > 0 && !l.muted {
		l.stop, l.stopped = make(chan struct{}), make(chan struct{})
		go l.tick(l.stop, l.stopped)
	}
}

// tick redraws the progress line until stop is closed, then clears it.
func (l *Logger) tick(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(l.Progress)
	defer t.Stop()
	drawn := false
	for {
		select {
		case <-stop:
			if drawn {
				fmt.Fprint(l.w, "\r\033[K")
			}
			return
		case <-t.C:
			fmt.Fprintf(l.w, "\r\033[K    … %s running %s: %s", l.fileName, time.Since(l.stmt).Round(time.Second), oneLine(l.pending, 60))
			drawn = true
		}
	}
}

// stopTick ends the progress line of the running statement.
func (l *Logger) stopTick() {
	if l.stop != nil {
		close(l.stop)
		<-l.stopped
		l.stop = nil
	}
}

// Error closes the running statement as failed and prints err.
func (l *Logger) Error(err error) {
	l.stopTick()
	if l.pending != "" {
		l.printStmt("failed")
	}
	fmt.Fprintf(l.out(), "  -- error: %v\n", err)
}

// Note prints a line inside the current section.
func (l *Logger) Note(format string, args ...any) {
	l.stmtDone()
	fmt.Fprintf(l.w, "  -- "+format+"\n", args...)
}

// FileDone closes the file section.
func (l *Logger) FileDone() {
	l.stmtDone()
	l.files++
	fmt.Fprintf(l.out(), "  -- ok (%s)\n", since(l.file))
}

// Done prints the totals; unit names what a file is ("migration", "version").
func (l *Logger) Done(unit string) {
	fmt.Fprintf(l.w, "\n  -------------------------\n  -- %s\n  -- %s\n  -- %s\n",
		since(l.start), Plural(l.files, unit), Plural(l.stmts, "sql statement"))
}

// Log implements migrate.Logger for the Executor.
func (l *Logger) Log(e migrate.LogEntry) {
	switch e := e.(type) {
	case migrate.LogFile:
		l.File("migrating version %s (%s)", e.File.Version(), e.File.Name())
		if e.Skip > 0 {
			fmt.Fprintf(l.out(), "  -- resuming after %d statements already applied\n", e.Skip)
		}
	case migrate.LogStmt:
		l.Stmt(e.SQL)
	case migrate.LogError:
		l.Error(e.Error)
	}
}

// stmtDone prints the previous statement once the next event shows it
// succeeded; its time includes the revision write that follows it.
func (l *Logger) stmtDone() {
	l.stopTick()
	if l.pending != "" {
		l.printStmt("ok (" + since(l.stmt) + ")")
		l.stmts++
	}
}

func (l *Logger) printStmt(status string) {
	text := strings.ReplaceAll(strings.TrimSpace(l.pending), "\n", "\n       ")
	fmt.Fprintf(l.out(), "    -> %s;\n       %s\n", strings.TrimSuffix(text, ";"), status)
	l.pending = ""
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

func since(t time.Time) string {
	d := time.Since(t)
	if d > time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// Plural renders "1 version", "2 versions".
func Plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
