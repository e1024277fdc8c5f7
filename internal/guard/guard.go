// Package guard keeps data loss from being silent. It measures instead of
// predicting: a Unit (one migration file, or one version of a rollback) runs
// inside its transaction; before the first statement that may change a table
// that existed when the unit began — SQLite's authorizer says which tables a
// compiled statement writes, triggers included — the table is digested
// (rows, and per column a checksum of every stored value with its storage
// class, keyed by the primary key; a row without a key, or whose key has a
// NULL, by its whole content; every hash keyed by a secret drawn per
// process). At the end the table's successor (same name, or the table its
// digests moved to) is digested again, keyed by the old key's columns where
// they (or their rename successors) remain, and compared.
// Where digests differ the caller runs the unit again with Detail, which
// compares value by value and names table, column, count and an example.
//
// Not a loss: NULLs filled in, rows added, a column renamed (its values
// moved), a dropped column that held only NULLs or its default, and a value
// whose storage class changed while its text stayed the same ('25' → 25).
package guard

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"
)

// Queryer is a connection or transaction.
type Queryer = schema.ExecQuerier

// Kind is what a loss is.
type Kind int

const (
	TableDropped  Kind = iota // a table with rows is gone
	RowsDeleted               // rows are gone
	ColumnDropped             // a column with values is gone
	ValuesChanged             // stored values changed, or became NULL
)

// Codes are the `-- atlas:nolint` codes that declare a reviewed loss:
// Atlas's destructive analyzer's drop-table and drop-column codes.
const (
	CodeRows     = "DS102"
	CodeValues   = "DS103"
	AnalyzerName = "destructive"
)

// Code returns the nolint code that excuses k.
func (k Kind) Code() string {
	if k == TableDropped || k == RowsDeleted {
		return CodeRows
	}
	return CodeValues
}

// Loss is data a unit removed or changed.
type Loss struct {
	Kind    Kind
	Table   string
	Column  string // for ColumnDropped and ValuesChanged
	Count   int64
	Example string // e.g. `id='p1': 'Ann'` or `id='p1': '1986-…' → 1986`
	Where   string // the unit, e.g. "migrations/2026…_x.sql"
}

func (l Loss) String() string {
	var s string
	switch l.Kind {
	case TableDropped:
		s = fmt.Sprintf("table %q is dropped with %s", l.Table, plural(l.Count, "row"))
	case RowsDeleted:
		s = fmt.Sprintf("table %q loses %s", l.Table, plural(l.Count, "row"))
	case ColumnDropped:
		s = fmt.Sprintf("column %q.%q is dropped with %s", l.Table, l.Column, plural(l.Count, "non-NULL value"))
	case ValuesChanged:
		s = fmt.Sprintf("column %q.%q: %s changed", l.Table, l.Column, plural(l.Count, "value"))
	}
	if l.Example != "" {
		s += " (e.g. " + l.Example + ")"
	}
	if l.Where != "" {
		s = l.Where + ": " + s
	}
	return s
}

// LossError refuses a change that would lose data; the transaction was
// rolled back.
type LossError struct {
	Op     string // "rollback", "apply"
	Losses []Loss
	Hint   string
}

func (e *LossError) Error() string {
	parts := make([]string, len(e.Losses))
	for i, l := range e.Losses {
		parts[i] = l.String()
	}
	return fmt.Sprintf("%s refused, it would lose data: %s; nothing was changed (%s)", e.Op, strings.Join(parts, "; "), e.Hint)
}

// TxControlError refuses a migration statement that would commit or roll
// back the transaction its unit is measured in (the file's own, a
// rollback's or a dry run's): what ran before it would stay committed
// unmeasured, and what follows would run outside any transaction.
type TxControlError struct{ Verb string }

func (e *TxControlError) Error() string {
	return fmt.Sprintf("%s is not allowed in a migration file: the file runs in a transaction that it would end (remove it; apply commits each file)", e.Verb)
}

func plural(n int64, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
