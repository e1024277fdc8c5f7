package apply

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/analyze"
	"github.com/structmigrate/structmigrate/internal/guard"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/revisions"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Lint codes of Atlas's destructive analyzer that excuse a reviewed loss.
const (
	codeDropTable  = "DS102"
	codeDropColumn = "DS103"
	analyzerName   = "destructive"
)

// preflight is what the pending files would do to the live data, found
// before anything runs.
type preflight struct {
	losses []guard.Loss // drops of tables/columns holding data, not excused
	blocks []string     // changes that would fail or corrupt: NULLs, non-numbers
}

// UnconfirmedError refuses a file with a generated backfill nobody has
// confirmed (see plan.ConfirmDirective).
type UnconfirmedError struct{ Where string }

func (e *UnconfirmedError) Error() string {
	return fmt.Sprintf("%s: unconfirmed backfill: check the value it writes into existing rows, delete the %q line, then run `structmigrate hash`", e.Where, plan.ConfirmDirective)
}

// DataError refuses changes the data on the live database would make fail
// (NOT NULL on NULLs) or lose values (a type change on values that do not
// convert).
type DataError struct{ Problems []string }

func (e *DataError) Error() string {
	return "apply refused: " + strings.Join(e.Problems, "; ") + "; nothing was changed"
}

// check runs the pending files statement by statement on a dev database,
// then measures on the live database what their changes would lose or
// break. Statements carrying `-- atlas:nolint DS102` / `DS103` are reviewed
// drops.
func check(ctx context.Context, o Options, pending []migrate.File) (*preflight, error) {
	for _, f := range pending {
		if n := plan.Unconfirmed(f); n > 0 {
			return nil, &UnconfirmedError{Where: filepath.Join(o.Dir.Path(), f.Name()) + ":" + strconv.Itoa(n)}
		}
	}
	pf := &preflight{}
	if !mayRebuild(pending) {
		return pf, nil // no DROP, no table rebuild: nothing to measure, skip the replay
	}
	all, err := o.Dir.Files()
	if err != nil {
		return nil, err
	}
	var base []migrate.File
	for _, f := range all {
		if f.Version() < pending[0].Version() {
			base = append(base, f)
		}
	}
	sess, err := analyze.Load(ctx, o.Dir, base, pending)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	drv, err := sqlitedb.Driver(o.DB)
	if err != nil {
		return nil, err
	}
	live, err := drv.InspectSchema(ctx, "", &schema.InspectOptions{Exclude: []string{revisions.Table}})
	if err != nil {
		return nil, err
	}
	var drops []guard.Drop
	var backfilled []string // statements so far, to see a backfill before a NOT NULL
	for _, f := range sess.Files {
		for _, c := range f.Changes {
			stmts := analyze.Stmts(f, c)
			where := filepath.Join(o.Dir.Path(), f.Name()) + ":" + strconv.Itoa(migdir.Line(f.Bytes(), c.Stmt.Pos))
			for _, ch := range c.Changes {
				switch ch := ch.(type) {
				case *schema.DropTable:
					if !analyze.Nolint(f.File, stmts, codeDropTable, analyzerName) {
						drops = append(drops, guard.Drop{Table: ch.T.Name, Where: where})
					}
				case *schema.ModifyTable:
					for _, mc := range ch.Changes {
						if dc, ok := mc.(*schema.DropColumn); ok && !analyze.Nolint(f.File, stmts, codeDropColumn, analyzerName) {
							drops = append(drops, guard.Drop{Table: ch.T.Name, Column: dc.C.Name, Where: where})
						}
					}
					problems, err := dataProblems(ctx, o, live, ch, where, backfilled)
					if err != nil {
						return nil, err
					}
					pf.blocks = append(pf.blocks, problems...)
				}
			}
			for _, st := range stmts {
				backfilled = append(backfilled, st.Text)
			}
		}
	}
	if pf.losses, err = guard.Count(ctx, o.DB, live, drops); err != nil {
		return nil, err
	}
	return pf, nil
}

// dataProblems checks one table change against the live rows: a column
// made NOT NULL without default over NULLs, one added NOT NULL without
// default to a table with rows, and a type change over values that do not
// convert.
func dataProblems(ctx context.Context, o Options, live *schema.Schema, mt *schema.ModifyTable, where string, before []string) ([]string, error) {
	t, ok := live.Table(mt.T.Name)
	if !ok {
		return nil, nil // made by a pending file: no live rows
	}
	var problems []string
	count := func(q string) (int64, error) {
		rows, err := o.DB.QueryContext(ctx, q)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		var n int64
		if rows.Next() {
			err = rows.Scan(&n)
		}
		return n, err
	}
	for _, ch := range mt.Changes {
		switch ch := ch.(type) {
		case *schema.AddColumn:
			if ch.C.Type.Null || ch.C.Default != nil {
				continue
			}
			n, err := count("SELECT count(*) FROM " + ident.Quote(t.Name))
			if err != nil {
				return nil, err
			}
			if n > 0 {
				problems = append(problems, fmt.Sprintf("%s: %q.%q is added NOT NULL without a default, but the table has %s", where, t.Name, ch.C.Name, Plural(int(n), "row")))
			}
		case *schema.ModifyColumn:
			c, ok := t.Column(ch.From.Name)
			if !ok {
				continue
			}
			if ch.From.Type.Null && !ch.To.Type.Null && ch.To.Default == nil && !backfills(before, t.Name, c.Name) {
				n, err := count("SELECT count(*) FROM " + ident.Quote(t.Name) + " WHERE " + ident.Quote(c.Name) + " IS NULL")
				if err != nil {
					return nil, err
				}
				if n > 0 {
					problems = append(problems, fmt.Sprintf("%s: %q.%q is made NOT NULL without a default, but it holds %s", where, t.Name, c.Name, Plural(int(n), "NULL")))
				}
			}
			if ch.Change.Is(schema.ChangeType) {
				if cond := lossy(c.Name, ch.To.Type.Type); cond != "" {
					n, err := count("SELECT count(*) FROM " + ident.Quote(t.Name) + " WHERE " + cond)
					if err != nil {
						return nil, err
					}
					if n > 0 {
						to, _ := sqlite.FormatType(ch.To.Type.Type)
						problems = append(problems, fmt.Sprintf("%s: %q.%q becomes %s, but %s would not convert", where, t.Name, c.Name, to, Plural(int(n), "value")))
					}
				}
			}
		}
	}
	return problems, nil
}

// lossy is the condition selecting the values of col that change when cast
// to t: non-numbers (and fractions, for integers) going to a number type.
// Text and other targets take every value.
func lossy(col string, t schema.Type) string {
	c := ident.Quote(col)
	asText := func(typ string) string { return "CAST(CAST(" + c + " AS " + typ + ") AS TEXT) = " + c }
	switch t.(type) {
	case *schema.IntegerType:
		return fmt.Sprintf("NOT (typeof(%[1]s) IN ('null', 'integer') OR (typeof(%[1]s) = 'real' AND %[1]s = CAST(%[1]s AS INTEGER)) OR (typeof(%[1]s) = 'text' AND %[2]s))", c, asText("INTEGER"))
	case *schema.FloatType, *schema.DecimalType, *schema.BoolType:
		return fmt.Sprintf("NOT (typeof(%[1]s) IN ('null', 'integer', 'real') OR (typeof(%[1]s) = 'text' AND (%[2]s OR %[3]s)))", c, asText("INTEGER"), asText("REAL"))
	}
	return ""
}

// backfills reports whether an earlier statement updates column of table
// (a backfill before the NOT NULL, as diff --backfill writes).
func backfills(stmts []string, table, column string) bool {
	for _, s := range stmts {
		u := strings.ToUpper(strings.TrimSpace(s))
		if strings.HasPrefix(u, "UPDATE") && strings.Contains(s, table) && strings.Contains(s, column) {
			return true
		}
	}
	return false
}

// mayRebuild is a cheap filter: drops and table rebuilds all contain DROP.
func mayRebuild(files []migrate.File) bool {
	for _, f := range files {
		if bytes.Contains(bytes.ToUpper(f.Bytes()), []byte("DROP")) {
			return true
		}
	}
	return false
}
