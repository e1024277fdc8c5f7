package guard

import (
	"math"
	"slices"
	"strings"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// rows compares the rows of a table before and after, value by value (see
// compare). Before rows are indexed as b.Records, after rows as av.
type rows struct {
	bv      [][]sqlitedb.Record // b's column → its values, row by row
	av      [][]sqlitedb.Record // b's column → its successor's values; nil: none
	claimed []bool              // after rows matched to a before row
	gone    []bool              // before rows no after row holds
	col     []*Loss             // b's column → its values changed
}

func (c *rows) note(i, row int, to *sqlitedb.Record) {
	l := c.col[i]
	if l.Count == 0 {
		l.Example = example(c.bv[0][row].KeyQ, c.bv[i][row], to)
	}
	l.Count++
}

// keyed compares before row i with the after row of the same key (cands:
// the after rows with that key; the successor's own key may let several
// share it): one that holds all its values, else the first.
func (c *rows) keyed(i int, cands []int) {
	pick := -1
	for _, j := range cands {
		if c.claimed[j] {
			continue
		}
		if pick < 0 {
			pick = j
		}
		if c.holds(i, j) {
			pick = j
			break
		}
	}
	if pick < 0 {
		c.gone[i] = true
		return
	}
	c.claimed[pick] = true
	for k := range c.bv {
		if c.av[k] == nil {
			continue
		}
		if r, a := c.bv[k][i], c.av[k][pick]; r.Class != sqlitedb.ClassNull && !kept(r, a) {
			c.note(k, i, &a)
		}
	}
}

// holds reports whether after row j holds every value of before row i.
func (c *rows) holds(i, j int) bool {
	for k := range c.bv {
		if c.av[k] != nil && c.bv[k][i].Class != sqlitedb.ClassNull && !kept(c.bv[k][i], c.av[k][j]) {
			return false
		}
	}
	return true
}

// loose matches before rows without a key (ub) to the after rows left
// (pool) by content: a row is kept where an after row holds all its
// values (a NULL before matches anything: filling it in loses nothing).
// What stays unmatched is told apart: columns whose values are missing
// from the rows left are values changed; the rows that still find no match
// over the other columns are rows gone, so values swapped or split between
// rows are not lost silently.
func (c *rows) loose(ub, pool []int) {
	var cols []int
	for k := range c.bv {
		if c.av[k] != nil {
			cols = append(cols, k)
		}
	}
	ub, pool = c.match(cols, ub, pool)
	if len(ub) > 0 && len(pool) > 0 {
		var rest []int
		for _, k := range cols {
			if c.multiset(k, ub, pool) {
				rest = append(rest, k)
			}
		}
		ub, _ = c.match(rest, ub, pool)
	}
	for _, i := range ub {
		c.gone[i] = true
	}
}

// multiset compares column k's values of before rows ub with those of
// after rows pool as multisets, noting each missing one; it reports
// whether none was. Exact matches first, each using up its value's text
// too (the same bytes render the same text); then the rest by text. One
// value left after cannot excuse two before.
func (c *rows) multiset(k int, ub, pool []int) bool {
	exact := map[uint64]int{}
	texts := map[uint64]int{}
	for _, j := range pool {
		if r := c.av[k][j]; r.Class != sqlitedb.ClassNull {
			exact[r.Hash]++
			texts[r.Text]++
		}
	}
	var rest []int
	for _, i := range ub {
		r := c.bv[k][i]
		switch {
		case r.Class == sqlitedb.ClassNull:
		case exact[r.Hash] > 0:
			exact[r.Hash]--
			texts[r.Text]--
		default:
			rest = append(rest, i)
		}
	}
	ok := true
	for _, i := range rest {
		if r := c.bv[k][i]; texts[r.Text] > 0 {
			texts[r.Text]--
		} else {
			c.note(k, i, nil)
			ok = false
		}
	}
	return ok
}

// match pairs before rows ub with after rows pool that hold the same
// values in cols (where the before row has one), claiming each after row
// once; it returns those left. Rows with more values go first, so that a
// row with NULLs (which match anything) does not take another's match.
// Values compare exactly first, then by the guard's rule for a kept value
// (the same text, or the same number).
func (c *rows) match(cols []int, ub, pool []int) ([]int, []int) {
	groups := map[string][]int{}
	for _, i := range ub {
		groups[c.mask(cols, i)] = append(groups[c.mask(cols, i)], i)
	}
	masks := make([]string, 0, len(groups))
	for m := range groups {
		masks = append(masks, m)
	}
	slices.SortFunc(masks, func(a, b string) int {
		if n := strings.Count(b, "1") - strings.Count(a, "1"); n != 0 {
			return n
		}
		return strings.Compare(a, b)
	})
	var left []int
	for _, m := range masks {
		in := groups[m]
		var on []int
		for x, k := range cols {
			if m[x] == '1' {
				on = append(on, k)
			}
		}
		for _, v := range []func(sqlitedb.Record) uint64{exactOf, textOf, numberOf} {
			if len(in) == 0 {
				break
			}
			free := map[uint64][]int{}
			for _, j := range pool {
				if h, ok := c.tuple(c.av, on, j, v); ok && !c.claimed[j] {
					free[h] = append(free[h], j)
				}
			}
			var rest []int
			for _, i := range in {
				h, _ := c.tuple(c.bv, on, i, v)
				if js := free[h]; len(js) > 0 {
					c.claimed[js[0]] = true
					free[h] = js[1:]
				} else {
					rest = append(rest, i)
				}
			}
			in = rest
		}
		left = append(left, in...)
	}
	var free []int
	for _, j := range pool {
		if !c.claimed[j] {
			free = append(free, j)
		}
	}
	return left, free
}

// mask marks which of cols hold a value in before row i.
func (c *rows) mask(cols []int, i int) string {
	b := make([]byte, len(cols))
	for x, k := range cols {
		b[x] = '0'
		if c.bv[k][i].Class != sqlitedb.ClassNull {
			b[x] = '1'
		}
	}
	return string(b)
}

// tuple combines v of row r's values in cols; false when one is NULL.
func (c *rows) tuple(vs [][]sqlitedb.Record, cols []int, r int, v func(sqlitedb.Record) uint64) (uint64, bool) {
	h := uint64(0x9e3779b97f4a7c15)
	for _, k := range cols {
		x := vs[k][r]
		if x.Class == sqlitedb.ClassNull {
			return 0, false
		}
		h = (h ^ v(x)) * 0x100000001b3
		h ^= h >> 29
	}
	return h, true
}

func exactOf(r sqlitedb.Record) uint64 { return r.Hash ^ uint64(r.Class)<<59 }
func textOf(r sqlitedb.Record) uint64  { return r.Text }

// numberOf is an integer's or an integral real's number (1 and 1.0 are
// the same number), else the text.
func numberOf(r sqlitedb.Record) uint64 {
	switch r.Class {
	case sqlitedb.ClassInteger:
		return r.Num*0x9e3779b97f4a7c15 + 1
	case sqlitedb.ClassFloat:
		if f := math.Float64frombits(r.Num); f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return uint64(int64(f))*0x9e3779b97f4a7c15 + 1
		}
	}
	return r.Text
}

// rowExample names before row i: its key, else its first values.
func (c *rows) rowExample(b *table, i int) string {
	if k := c.bv[0][i].KeyQ; k != "" {
		return k
	}
	var parts []string
	for k, col := range b.Cols {
		if r := c.bv[k][i]; r.Class != sqlitedb.ClassNull && len(parts) < 4 {
			parts = append(parts, col.Name+"="+r.Quoted)
		}
	}
	return strings.Join(parts, ", ")
}
