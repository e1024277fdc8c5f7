package migdir

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/sqlite"
)

// StmtError reports a statement of a migration file that SQLite rejected,
// naming the file and line so the message can be acted on.
type StmtError struct {
	Op   string // "replaying" or "applying"
	Path string
	Line int
	Stmt string
	Err  error
}

func (e *StmtError) Error() string {
	return fmt.Sprintf("%s:%d: %s %q: %v", e.Path, e.Line, e.Op, OneLine(e.Stmt, 80), Explain(e.Err))
}

// Explain adds why to SQLite's bare "not authorized" (SQLITE_AUTH): the
// databases that run unreviewed SQL deny reaching other files.
func Explain(err error) error {
	if err != nil && strings.Contains(err.Error(), "authorization denied") {
		return fmt.Errorf("%w: the statement reaches outside the database (ATTACH, VACUUM INTO), which is denied where unreviewed SQL runs (dev database, dry run)", err)
	}
	return ExplainWrite(err)
}

// SQLite result codes a failed write reports (sqlite3.h).
const (
	codeIOErr      = 10  // SQLITE_IOERR
	codeFull       = 13  // SQLITE_FULL
	codeIOErrWrite = 778 // SQLITE_IOERR_WRITE
)

// ExplainWrite says what SQLite's "database or disk is full" and "disk I/O
// error" on a write mean to an operator: write() failed with ENOSPC, or
// with EFBIG when the process's file-size limit was reached (SQLite reports
// a partly written page as full, a refused one as an I/O error).
func ExplainWrite(err error) error {
	var c interface{ Code() int }
	if err == nil || !errors.As(err, &c) {
		return err
	}
	switch code := c.Code(); {
	case code&0xff == codeFull:
		return fmt.Errorf("%w: the disk is full, or a file-size limit (ulimit -f) was reached", err)
	case code == codeIOErrWrite:
		return fmt.Errorf("%w: a write failed: the disk is full, a file-size limit (ulimit -f) was reached, or the device failed", err)
	case code&0xff == codeIOErr:
		return fmt.Errorf("%w: the device or file system failed", err)
	}
	return err
}

func (e *StmtError) Unwrap() error { return e.Err }

// AsStmtError converts the Executor's *migrate.StmtExecError into a
// *StmtError located in dir; it returns nil for other errors.
func AsStmtError(dir Dir, op string, err error) *StmtError {
	var se *migrate.StmtExecError
	if !errors.As(err, &se) {
		return nil
	}
	return &StmtError{
		Op:   op,
		Path: filepath.Join(dir.Path(), se.File.Name()),
		Line: Line(se.File.Bytes(), se.Stmt.Pos),
		Stmt: se.Stmt.Text,
		Err:  se.Err,
	}
}

// Line converts a byte offset in a file into a 1-based line number.
func Line(b []byte, pos int) int {
	if pos > len(b) {
		pos = len(b)
	}
	return strings.Count(string(b[:pos]), "\n") + 1
}

// OneLine folds white space so a statement fits in a one-line message.
func OneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// StmtDecls splits f into statements the way Atlas's executor does for
// SQLite (the driver's scanner keeps CREATE TRIGGER … BEGIN …; END
// together; File.StmtDecls' generic lexer would split it).
func StmtDecls(f migrate.File) ([]*migrate.Stmt, error) {
	return (*sqlite.Driver)(nil).ScanStmts(string(f.Bytes()))
}

// OneStmt checks that cmd, a statement as planned (without its ";"), is
// exactly one complete statement to the scanner that splits migration files
// for apply: generated SQL whose text ends early (an unquoted name, an
// expression cut wrongly) would run the rest as statements of their own,
// and one left inside a quote or comment would swallow the next. So cmd is
// scanned as the formatter writes it, followed by a sentinel statement,
// which must come out on its own.
func OneStmt(cmd string) error {
	const sentinel = "SELECT 1;"
	if strings.TrimSpace(cmd) == "" {
		return errors.New("empty")
	}
	stmts, err := (*sqlite.Driver)(nil).ScanStmts(cmd + ";\n" + sentinel)
	switch {
	case err != nil:
		return err
	case len(stmts) == 0 || strings.TrimSpace(stmts[len(stmts)-1].Text) != sentinel:
		return errors.New("it does not end")
	case len(stmts) != 2:
		return fmt.Errorf("%d statements", len(stmts)-1)
	}
	return nil
}

// SplitList splits a comma-separated SQL list at the commas outside
// parentheses and quotes ("`a`, IFNULL(`b`, 0) AS `b`" is two items).
func SplitList(s string) []string {
	var (
		out   []string
		depth int
		quote rune
		start int
	)
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '`' || r == '\'' || r == '"':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// SplitLine splits "path:line".
func SplitLine(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, 0, false
	}
	return s[:i], n, true
}
