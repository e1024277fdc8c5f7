package guard

import (
	"context"
	"math"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// pair is a measured table and its successor, set up to be compared.
type pair struct {
	b, t *table
	// key lists t's columns that hold b's primary key, in b's key order
	// (the successor's own key may differ: another key, another order):
	// rows are compared by b's key. Nil: by whole rows (b had no key, or
	// a key column is gone).
	key  []string
	succ []int // b's column → the column of t that holds its values; -1: none
}

// sums reports whether the keyed sums of b and t compare: both keyed by
// b's key, or both by whole rows.
func (p *pair) sums() bool { return p.key != nil || len(p.b.Key) == 0 }

// pairUp digests t (the successor of b) keyed as b was, so that the
// digests compare: by the columns that hold b's key — the same name, else
// (a renamed key column) the column its values moved to — else by whole
// rows.
func pairUp(ctx context.Context, be backend, q Queryer, b, t *table) (*pair, error) {
	p := &pair{b: b, t: t}
	digest := func(key []string) error {
		if t.Digest != nil && equalNames(t.DKey, key) {
			return nil
		}
		return be.digest(ctx, q, t, key)
	}
	if len(b.Key) > 0 {
		p.key = mapKey(b, t, nil)
		if p.key == nil {
			// Find the renamed key columns by their values alone.
			if err := digest(nil); err != nil {
				return nil, err
			}
			p.key = mapKey(b, t, successor(b, t, false))
		}
	}
	if err := digest(p.key); err != nil {
		return nil, err
	}
	p.succ = successor(b, t, p.key != nil)
	return p, nil
}

// mapKey returns the columns of t that hold b's key, in b's key order:
// the column succ maps a key column to, else the one of the same name.
// Nil when a key column has neither.
func mapKey(b, t *table, succ []int) []string {
	if len(b.Key) == 0 {
		return nil
	}
	out := make([]string, 0, len(b.Key))
	for _, k := range b.Key {
		j := -1
		if i := b.index(k); succ != nil && i >= 0 {
			j = succ[i]
		}
		if j < 0 {
			j = t.index(k)
		}
		if j < 0 {
			return nil
		}
		out = append(out, t.Cols[j].Name)
	}
	return out
}

func equalNames(a, b []string) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameDigest(a *table, i int, b *table, j int, sums bool) bool {
	if a.Digest.NonNull[i] != b.Digest.NonNull[j] {
		return false
	}
	if sums {
		return a.Digest.Sum[i] == b.Digest.Sum[j]
	}
	return a.Digest.Unkeyed[i] == b.Digest.Unkeyed[j]
}

// successor maps each column of b to the column of t that holds its
// values: the same name with the same values; else (a rename) a column b
// did not have with the same values, each claimed by one column of b only
// (first by those whose name is gone); else the same name (its values
// changed). -1: none. sums compares the keyed sums, else values alone.
func successor(b, t *table, sums bool) []int {
	out := make([]int, len(b.Cols))
	claimed := make([]bool, len(t.Cols))
	claim := func(i, j int) { out[i], claimed[j] = j, true }
	for i, c := range b.Cols {
		out[i] = -1
		if j := t.index(c.Name); j >= 0 && (b.Digest.NonNull[i] == 0 || sameDigest(b, i, t, j, sums)) {
			claim(i, j)
		}
	}
	for _, nameGone := range []bool{true, false} {
		for i, c := range b.Cols {
			if out[i] >= 0 || b.Digest.NonNull[i] == 0 || (t.index(c.Name) < 0) != nameGone {
				continue
			}
			for j, d := range t.Cols {
				if !claimed[j] && b.index(d.Name) < 0 && sameDigest(b, i, t, j, sums) {
					claim(i, j)
					break
				}
			}
		}
	}
	for i, c := range b.Cols {
		if j := t.index(c.Name); out[i] < 0 && j >= 0 && !claimed[j] {
			claim(i, j)
		}
	}
	return out
}

// matches counts the columns of b with values whose values t holds.
func matches(b, t *table) int {
	n := 0
	for i, j := range successor(b, t, false) {
		if j >= 0 && b.Digest.NonNull[i] > 0 && sameDigest(b, i, t, j, false) {
			n++
		}
	}
	return n
}

// sameData reports whether t holds every value b held, in the same rows.
func sameData(p *pair) bool {
	b, t := p.b, p.t
	if t.Digest.Rows < b.Digest.Rows {
		return false
	}
	if !p.sums() {
		return b.Digest.Rows == 0
	}
	for i, j := range p.succ {
		if b.Digest.NonNull[i] == 0 {
			continue
		}
		if j < 0 || !sameDigest(b, i, t, j, true) {
			return false
		}
	}
	return true
}

// compare finds, value by value, what t lost of b (a detail run). Rows
// are matched by b's key where p has one and the row's key is a key: no
// NULL in it, and no other row of b with the same key text. The other rows
// are matched by their whole content (see loose).
func (u *Unit) compare(ctx context.Context, p *pair) ([]Loss, error) {
	b, t := p.b, p.t
	if len(b.Cols) == 0 || len(b.Records) == 0 {
		return nil, nil
	}
	c := &rows{bv: b.Records, av: make([][]sqlitedb.Record, len(b.Cols)), col: make([]*Loss, len(b.Cols))}
	nb := len(b.Records[0])
	// Before rows matched by key, and the rest (ub), matched by content.
	var strict, ub []int
	count := map[uint64]int{}
	for i := 0; i < nb; i++ {
		if r := c.bv[0][i]; p.key != nil && !r.KeyNull {
			count[r.Key]++
		}
	}
	for i := 0; i < nb; i++ {
		if r := c.bv[0][i]; p.key == nil || r.KeyNull || count[r.Key] > 1 {
			ub = append(ub, i)
		} else {
			strict = append(strict, i)
		}
	}
	// The values after: of every column b's values moved to, except, when
	// every row is matched by key, those whose keyed digests are equal.
	var names []string
	var at []int
	for i, j := range p.succ {
		if j >= 0 && b.Digest.NonNull[i] > 0 && (len(ub) > 0 || !sameDigest(b, i, t, j, true)) {
			names = append(names, t.Cols[j].Name)
			at = append(at, i)
		}
	}
	if len(names) == 0 {
		names = []string{t.Cols[0].Name} // for the rows and their keys
	}
	after, err := u.engine().collectRows(ctx, u.q, t, p.key, names)
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		c.av[i] = after[k]
	}
	na := len(after[0])
	c.claimed = make([]bool, na)
	c.gone = make([]bool, nb)
	for i := range b.Cols {
		c.col[i] = &Loss{Kind: ValuesChanged, Table: b.Name, Column: b.Cols[i].Name, Where: u.o.Name}
	}
	if len(strict) > 0 {
		byKey := map[uint64][]int{}
		for j := 0; j < na; j++ {
			if r := after[0][j]; !r.KeyNull {
				byKey[r.Key] = append(byKey[r.Key], j)
			}
		}
		for _, i := range strict {
			c.keyed(i, byKey[c.bv[0][i].Key])
		}
	}
	var pool []int
	for j := 0; j < na; j++ {
		if !c.claimed[j] {
			pool = append(pool, j)
		}
	}
	c.loose(ub, pool)

	var losses []Loss
	rl := Loss{Kind: RowsDeleted, Table: b.Name, Where: u.o.Name}
	for i, g := range c.gone {
		if g {
			if rl.Count == 0 {
				rl.Example = c.rowExample(b, i)
			}
			rl.Count++
		}
	}
	if rl.Count > 0 {
		losses = append(losses, rl)
	}
	for i, col := range b.Cols {
		switch {
		case b.Digest.NonNull[i] == 0:
		case p.succ[i] < 0:
			l, err := u.dropped(ctx, b, col, c.bv[i], c.gone)
			if err != nil {
				return nil, err
			}
			if l != nil {
				losses = append(losses, *l)
			}
		case c.col[i].Count > 0:
			losses = append(losses, *c.col[i])
		}
	}
	return losses, nil
}

// dropped counts the values of a column that is gone, except those equal
// to its default by the guard's value rule (dropping them loses nothing a
// re-add would not restore: a REAL column stores DEFAULT 0 as 0.0) and
// those of rows reported gone.
func (u *Unit) dropped(ctx context.Context, b *table, c column, before []sqlitedb.Record, gone []bool) (*Loss, error) {
	var dflt *sqlitedb.Record
	if c.Default.Valid {
		d, err := u.engine().defaultValue(ctx, u.q, c.Default.String)
		if err == nil {
			dflt = d
		}
	}
	l := &Loss{Kind: ColumnDropped, Table: b.Name, Column: c.Name, Where: u.o.Name}
	for i, r := range before {
		if r.Class == sqlitedb.ClassNull || gone[i] || dflt != nil && kept(*dflt, r) {
			continue
		}
		if l.Count == 0 {
			l.Example = example(b.Records[0][i].KeyQ, r, nil)
		}
		l.Count++
	}
	if l.Count == 0 {
		return nil, nil
	}
	return l, nil
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

func example(keyQ string, r sqlitedb.Record, to *sqlitedb.Record) string {
	s := r.Quoted
	if to != nil {
		n := "NULL"
		if to.Class != sqlitedb.ClassNull {
			n = to.Quoted
		}
		s += " → " + n
	}
	if keyQ != "" {
		s = keyQ + ": " + s
	}
	return s
}
