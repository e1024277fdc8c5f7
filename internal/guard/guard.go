// Package guard keeps data loss from being silent: before a change runs it
// counts, on the live database, the rows of tables and the non-NULL values of
// columns that the change would drop, and refuses unless forced.
package guard

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/ident"
)

// Drop is a table (Column empty) or a column a change removes.
type Drop struct {
	Table, Column string
	Where         string // what drops it, e.g. "migrations/x.sql:3"; may be empty
}

// Loss is a Drop that holds data on the live database.
type Loss struct {
	Drop
	Count int64 // rows of the table, or non-NULL values of the column
}

func (l Loss) String() string {
	var s string
	if l.Column == "" {
		s = fmt.Sprintf("table %q would lose %s", l.Table, plural(l.Count, "row"))
	} else {
		s = fmt.Sprintf("column %q.%q would lose %s", l.Table, l.Column, plural(l.Count, "non-NULL value"))
	}
	if l.Where != "" {
		s = l.Where + ": " + s
	}
	return s
}

// LossError refuses a change that would lose data.
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

// Queryer is a connection or transaction.
type Queryer = schema.ExecQuerier

// Renames are renames a change makes (old name → new name), which move
// data rather than lose it.
type Renames struct {
	Tables  map[string]string            // old → new
	Columns map[string]map[string]string // table (old name) → old column → new
}

// Dropped returns the tables and columns of from that are gone in to. A
// renamed table or column is not gone, nor is one whose name differs only
// by case (SQLite names are case-insensitive).
func Dropped(from, to *schema.Schema, ren *Renames) []Drop {
	if ren == nil {
		ren = &Renames{}
	}
	var drops []Drop
	for _, t := range from.Tables {
		name := t.Name
		for i := 0; i < len(ren.Tables); i++ { // follow chains: t → tmp → u
			n, ok := ren.Tables[name]
			if !ok {
				break
			}
			name = n
		}
		t2 := findTable(to, name)
		if t2 == nil {
			drops = append(drops, Drop{Table: t.Name})
			continue
		}
		for _, c := range t.Columns {
			cname := c.Name
			if n, ok := ren.Columns[t.Name][c.Name]; ok {
				cname = n
			} else if n, ok := ren.Columns[t2.Name][c.Name]; ok {
				cname = n
			}
			if findColumn(t2, cname) == nil {
				drops = append(drops, Drop{Table: t.Name, Column: c.Name})
			}
		}
	}
	return drops
}

func findTable(s *schema.Schema, name string) *schema.Table {
	for _, t := range s.Tables {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

func findColumn(t *schema.Table, name string) *schema.Column {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

// Count measures what each drop would lose on db and returns the drops that
// hold data. Drops of objects db does not have are skipped.
func Count(ctx context.Context, db Queryer, live *schema.Schema, drops []Drop) ([]Loss, error) {
	var losses []Loss
	for _, d := range drops {
		t, ok := live.Table(d.Table)
		if !ok {
			continue
		}
		q := "SELECT count(*) FROM " + ident.Quote(t.Name)
		if d.Column != "" {
			c, ok := t.Column(d.Column)
			if !ok {
				continue
			}
			q += " WHERE " + ident.Quote(c.Name) + " IS NOT NULL"
		}
		n, err := countQuery(ctx, db, q)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			losses = append(losses, Loss{Drop: d, Count: n})
		}
	}
	return losses, nil
}

// RowCounts returns the number of rows of every table of s.
func RowCounts(ctx context.Context, db Queryer, s *schema.Schema) (map[string]int64, error) {
	counts := make(map[string]int64, len(s.Tables))
	for _, t := range s.Tables {
		n, err := countQuery(ctx, db, "SELECT count(*) FROM "+ident.Quote(t.Name))
		if err != nil {
			return nil, err
		}
		counts[t.Name] = n
	}
	return counts, nil
}

// Deleted compares row counts taken before and after a change and returns
// the tables that lost rows. Tables gone entirely are left out: Dropped and
// Count report those before the change runs.
func Deleted(before, after map[string]int64) []Loss {
	var losses []Loss
	for t, n := range before {
		if m, ok := after[t]; ok && m < n {
			losses = append(losses, Loss{Drop: Drop{Table: t}, Count: n - m})
		}
	}
	sort.Slice(losses, func(i, j int) bool { return losses[i].Table < losses[j].Table })
	return losses
}

func countQuery(ctx context.Context, db Queryer, q string) (int64, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

func plural(n int64, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}
