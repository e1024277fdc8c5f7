package guard

import (
	"context"
	"fmt"
	"sort"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// The AUTOINCREMENT high-water mark is data too: SQLite keeps, per table,
// the largest id ever used in sqlite_sequence, so that a deleted row's id
// (perhaps still referenced outside the database) is never given again. A
// rebuild that drops the table drops its counter; the copy's counter only
// knows the ids still present. The guard compares each table's counter with
// its successor's: a lower one is a loss (rows added raise it, which is
// not).

type sequence struct {
	Name string
	Seq  int64
}

// sequences reads sqlite_sequence (lower-cased table → counter); empty
// when no AUTOINCREMENT table was ever created.
func sequences(ctx context.Context, q Queryer) (map[string]sequence, error) {
	out := map[string]sequence{}
	rows, err := q.QueryContext(ctx, `SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'`)
	if err != nil {
		return nil, err
	}
	var n int
	if rows.Next() {
		err = rows.Scan(&n)
	}
	rows.Close()
	if err != nil || n == 0 {
		return out, err
	}
	// SQLite reads seq as an integer; a hand-written row may hold anything.
	rows, err = q.QueryContext(ctx, `SELECT name, CAST(seq AS INTEGER) FROM main.sqlite_sequence WHERE name IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s sequence
		if err := rows.Scan(&s.Name, &s.Seq); err != nil {
			return nil, err
		}
		l := ident.Fold(s.Name)
		if old, ok := out[l]; !ok || s.Seq > old.Seq {
			out[l] = s
		}
	}
	return out, rows.Err()
}

// lostSequences compares the counters the unit began with to those of
// the tables' successors now (tables now, see tables). A table that is
// gone has no counter to keep: its rows are measured.
func (u *Unit) lostSequences(ctx context.Context, now map[string]string) ([]Loss, error) {
	if len(u.seq) == 0 {
		return nil, nil
	}
	after, err := sequences(ctx, u.q)
	if err != nil {
		return nil, err
	}
	ls := make([]string, 0, len(u.seq))
	for l := range u.seq {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	var out []Loss
	for _, l := range ls {
		b := u.seq[l]
		succ, ok := u.successor(l, now)
		if !ok || b.Seq <= 0 {
			continue
		}
		if a := after[ident.Fold(succ)].Seq; a < b.Seq {
			out = append(out, Loss{Kind: ValuesChanged, Table: "sqlite_sequence", Column: "seq", Count: 1, Where: u.o.Name,
				Example: fmt.Sprintf("name=%s: %d → %d, the AUTOINCREMENT counter of %q", sqlString(b.Name), b.Seq, a, succ)})
		}
	}
	return out, nil
}
