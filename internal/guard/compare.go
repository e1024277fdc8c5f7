package guard

import (
	"context"
	"math"
	"strings"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// keyed reports whether a and b are keyed by the same primary key columns,
// so their keyed digests compare.
func keyed(a, b *table) bool {
	if len(a.Key) == 0 || len(a.Key) != len(b.Key) {
		return false
	}
	for i := range a.Key {
		if !strings.EqualFold(a.Key[i], b.Key[i]) {
			return false
		}
	}
	return true
}

func sameDigest(a *table, i int, b *table, j int, byKey bool) bool {
	if a.Digest.NonNull[i] != b.Digest.NonNull[j] {
		return false
	}
	if byKey {
		return a.Digest.Sum[i] == b.Digest.Sum[j]
	}
	return a.Digest.Unkeyed[i] == b.Digest.Unkeyed[j]
}

// successor maps each column of b that held values to the column of t that
// holds the same values: the same name, else (a rename) a column b did not
// have with an equal digest. -1: none.
func successor(b, t *table) []int {
	byKey := keyed(b, t)
	out := make([]int, len(b.Cols))
	for i, c := range b.Cols {
		out[i] = -1
		for j, d := range t.Cols {
			if strings.EqualFold(c.Name, d.Name) {
				out[i] = j
			}
		}
		if out[i] >= 0 && sameDigest(b, i, t, out[i], byKey) || b.Digest.NonNull[i] == 0 {
			continue
		}
		for j, d := range t.Cols {
			if _, had := b.column(d.Name); !had && sameDigest(b, i, t, j, byKey) {
				out[i] = j
				break
			}
		}
	}
	return out
}

// matches counts the columns of b with values whose digests t holds.
func matches(b, t *table) int {
	n := 0
	for i, j := range successor(b, t) {
		if j >= 0 && b.Digest.NonNull[i] > 0 && sameDigest(b, i, t, j, keyed(b, t)) {
			n++
		}
	}
	return n
}

// sameData reports whether t holds every value b held, under the same keys.
func sameData(b, t *table) bool {
	if t.Digest.Rows < b.Digest.Rows {
		return false
	}
	byKey := keyed(b, t)
	for i, j := range successor(b, t) {
		if b.Digest.NonNull[i] == 0 {
			continue
		}
		if j < 0 || !sameDigest(b, i, t, j, byKey) {
			return false
		}
	}
	return true
}

// compare finds, value by value, what t lost of b (a detail run).
func (u *Unit) compare(ctx context.Context, b, t *table) ([]Loss, error) {
	var losses []Loss
	byKey := keyed(b, t)
	succ := successor(b, t)
	gone := map[uint64]bool{} // keys of rows that are no longer there
	if byKey && len(b.Cols) > 0 {
		after, err := collect(ctx, u.q, t.Name, t.Key, t.Key[0])
		if err != nil {
			return nil, err
		}
		have := make(map[uint64]bool, len(after))
		for _, r := range after {
			have[r.Key] = true
		}
		var ex string
		for _, r := range b.Records[b.Cols[0].Name] {
			if !have[r.Key] {
				if len(gone) == 0 {
					ex = r.KeyQ
				}
				gone[r.Key] = true
			}
		}
		if len(gone) > 0 {
			losses = append(losses, Loss{Kind: RowsDeleted, Table: b.Name, Count: int64(len(gone)), Example: ex, Where: u.o.Name})
		}
	} else if n := b.Digest.Rows - t.Digest.Rows; n > 0 {
		losses = append(losses, Loss{Kind: RowsDeleted, Table: b.Name, Count: n, Where: u.o.Name})
	}
	for i, c := range b.Cols {
		if b.Digest.NonNull[i] == 0 {
			continue
		}
		j := succ[i]
		if j >= 0 && sameDigest(b, i, t, j, byKey) {
			continue
		}
		before := b.Records[c.Name]
		if j < 0 {
			l, err := u.dropped(ctx, b, c, before, gone)
			if err != nil {
				return nil, err
			}
			if l != nil {
				losses = append(losses, *l)
			}
			continue
		}
		var key []string
		if byKey {
			key = t.Key
		}
		after, err := collect(ctx, u.q, t.Name, key, t.Cols[j].Name)
		if err != nil {
			return nil, err
		}
		if l := changed(b, c, before, after, byKey, gone); l != nil {
			l.Where = u.o.Name
			losses = append(losses, *l)
		}
	}
	return losses, nil
}

// dropped counts the values of a column that is gone, except those equal
// to its default: dropping them loses nothing a re-add would not restore.
func (u *Unit) dropped(ctx context.Context, b *table, c column, before []sqlitedb.Record, gone map[uint64]bool) (*Loss, error) {
	var dflt *sqlitedb.Record
	if c.Default.Valid {
		d, err := defaultValue(ctx, u.q, c.Default.String)
		if err == nil {
			dflt = d
		}
	}
	l := &Loss{Kind: ColumnDropped, Table: b.Name, Column: c.Name, Where: u.o.Name}
	for _, r := range before {
		if r.Class == sqlitedb.ClassNull || gone[r.Key] || dflt != nil && r.Class == dflt.Class && r.Hash == dflt.Hash {
			continue
		}
		if l.Count == 0 {
			l.Example = example(r, nil)
		}
		l.Count++
	}
	if l.Count == 0 {
		return nil, nil
	}
	return l, nil
}

// changed counts the values of column c that are not in after, neither
// as they were nor exactly converted (same text, or the same number).
func changed(b *table, c column, before, after []sqlitedb.Record, byKey bool, gone map[uint64]bool) *Loss {
	l := &Loss{Kind: ValuesChanged, Table: b.Name, Column: c.Name}
	note := func(r sqlitedb.Record, to *sqlitedb.Record) {
		if l.Count == 0 {
			l.Example = example(r, to)
		}
		l.Count++
	}
	if byKey {
		now := make(map[uint64]sqlitedb.Record, len(after))
		for _, r := range after {
			now[r.Key] = r
		}
		for _, r := range before {
			if r.Class == sqlitedb.ClassNull || gone[r.Key] {
				continue
			}
			a := now[r.Key]
			if !kept(r, a) {
				note(r, &a)
			}
		}
	} else {
		exact := map[uint64]int{}
		texts := map[uint64]int{}
		for _, r := range after {
			if r.Class != sqlitedb.ClassNull {
				exact[r.Hash]++
				texts[r.Text]++
			}
		}
		// Exact matches first, each using up its value's text too (the
		// same bytes render the same text); then the rest by text. One
		// value left after cannot excuse two before.
		var rest []sqlitedb.Record
		for _, r := range before {
			switch {
			case r.Class == sqlitedb.ClassNull:
			case exact[r.Hash] > 0:
				exact[r.Hash]--
				texts[r.Text]--
			default:
				rest = append(rest, r)
			}
		}
		for _, r := range rest {
			if texts[r.Text] > 0 {
				texts[r.Text]--
			} else {
				note(r, nil)
			}
		}
	}
	if l.Count == 0 {
		return nil
	}
	return l
}

// kept reports whether a holds r's value: the same bytes, the same text
// ('25' and 25), or the same number (2.0 and 2).
func kept(r, a sqlitedb.Record) bool {
	switch {
	case a.Class == sqlitedb.ClassNull:
		return false
	case r.Class == a.Class && r.Hash == a.Hash:
		return true
	case r.Text == a.Text:
		return true
	case r.Class == sqlitedb.ClassInteger && a.Class == sqlitedb.ClassFloat:
		return sameNumber(int64(r.Num), math.Float64frombits(a.Num))
	case r.Class == sqlitedb.ClassFloat && a.Class == sqlitedb.ClassInteger:
		return sameNumber(int64(a.Num), math.Float64frombits(r.Num))
	}
	return false
}

func sameNumber(i int64, f float64) bool {
	return f == math.Trunc(f) && math.Abs(f) < 1<<63 && int64(f) == i && float64(i) == f
}

func example(r sqlitedb.Record, to *sqlitedb.Record) string {
	s := r.Quoted
	if to != nil {
		n := "NULL"
		if to.Class != sqlitedb.ClassNull {
			n = to.Quoted
		}
		s += " → " + n
	}
	if r.KeyQ != "" {
		s = r.KeyQ + ": " + s
	}
	return s
}
