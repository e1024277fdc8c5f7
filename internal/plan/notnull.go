package plan

import (
	"context"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/gormddl"
	"github.com/structmigrate/structmigrate/internal/ident"
)

// ConfirmDirective marks a generated backfill: apply and lint refuse the
// file until a reviewer has checked the value and deleted the line.
const ConfirmDirective = "-- structmigrate:confirm"

// Unconfirmed returns the line of f's first confirm directive, or 0.
func Unconfirmed(f migrate.File) int {
	for i, l := range strings.Split(string(f.Bytes()), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), ConfirmDirective) {
			return i + 1
		}
	}
	return 0
}

// NotNullError refuses a NOT NULL column without a default added to an
// existing table: every row already there would violate it. (A nullable
// column made NOT NULL is not refused here: only the live rows tell whether
// it holds NULLs, and apply counts them.)
type NotNullError struct{ Table, Column string }

func (e *NotNullError) Error() string {
	return fmt.Sprintf("%s.%s is added as NOT NULL without a default, and the rows already in %q would violate it: give the field a default (gorm:\"default:…\"), keep it nullable, or run diff --backfill to write a backfill for review",
		e.Table, e.Column, e.Table)
}

type notNull struct {
	mt      *schema.ModifyTable
	col     *schema.Column // as desired (NOT NULL)
	tighten bool
}

// notNulls finds NOT NULL columns without a default that an existing table
// gains (AddColumn) or gets (nullable → NOT NULL).
func notNulls(changes []schema.Change) []notNull {
	var out []notNull
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		for _, ch := range mt.Changes {
			switch ch := ch.(type) {
			case *schema.AddColumn:
				if !ch.C.Type.Null && ch.C.Default == nil && !generated(ch.C) {
					out = append(out, notNull{mt: mt, col: ch.C})
				}
			case *schema.ModifyColumn:
				if ch.From.Type.Null && !ch.To.Type.Null && ch.To.Default == nil {
					out = append(out, notNull{mt: mt, col: ch.To, tighten: true})
				}
			}
		}
	}
	return out
}

func generated(c *schema.Column) bool {
	for _, a := range c.Attrs {
		if _, ok := a.(*schema.GeneratedExpr); ok {
			return true
		}
	}
	return false
}

// planBackfill plans changes in three steps so existing rows get a value:
// the columns are first added (or kept) nullable, then an UPDATE fills the
// NULLs with the type's zero value (behind a confirm directive when review
// is set), then the table is rebuilt with the columns NOT NULL.
func planBackfill(ctx context.Context, drv migrate.Driver, changes []schema.Change, nn []notNull, name string, review bool) (*migrate.Plan, error) {
	byTable := map[*schema.ModifyTable][]notNull{}
	for _, n := range nn {
		byTable[n.mt] = append(byTable[n.mt], n)
	}
	var first []schema.Change
	var last []schema.Change
	var fills []*migrate.Change
	for _, c := range changes {
		mt, ok := c.(*schema.ModifyTable)
		if !ok || byTable[mt] == nil {
			first = append(first, c)
			continue
		}
		// Step 1: the table as desired, but with those columns nullable.
		loose, cols := loosen(mt.T, byTable[mt])
		step1 := &schema.ModifyTable{T: loose}
		var tighten []schema.Change
		for _, ch := range mt.Changes {
			switch ch := ch.(type) {
			case *schema.AddColumn:
				if c, ok := cols[ch.C.Name]; ok {
					step1.Changes = append(step1.Changes, &schema.AddColumn{C: c})
					tighten = append(tighten, &schema.ModifyColumn{From: c, To: ch.C, Change: schema.ChangeNull})
					continue
				}
			case *schema.ModifyColumn:
				if c, ok := cols[ch.To.Name]; ok {
					if rest := ch.Change &^ schema.ChangeNull; rest != schema.NoChange {
						step1.Changes = append(step1.Changes, &schema.ModifyColumn{From: ch.From, To: c, Change: rest})
					}
					tighten = append(tighten, &schema.ModifyColumn{From: c, To: ch.To, Change: schema.ChangeNull})
					continue
				}
			}
			step1.Changes = append(step1.Changes, ch)
		}
		if len(step1.Changes) > 0 {
			first = append(first, step1)
		}
		for _, n := range byTable[mt] {
			v, err := zeroValue(n.col)
			if err != nil {
				return nil, err
			}
			update := fmt.Sprintf("UPDATE %s SET %s = %s WHERE %s IS NULL", ident.Quote(mt.T.Name), ident.Quote(n.col.Name), v, ident.Quote(n.col.Name))
			fill := &migrate.Change{
				Comment: fmt.Sprintf("fill %q.%q in existing rows with the zero value: the dropped values are not restored", mt.T.Name, n.col.Name),
				Cmd:     update,
			}
			if review {
				fill.Comment = fmt.Sprintf("backfill %q.%q in existing rows: REVIEW the value", mt.T.Name, n.col.Name)
				fill.Cmd = fmt.Sprintf("%s %s.%s: check the value, then delete this line and run `structmigrate hash`\n%s",
					ConfirmDirective, mt.T.Name, n.col.Name, update)
			}
			fills = append(fills, fill)
		}
		last = append(last, &schema.ModifyTable{T: mt.T, Changes: tighten})
	}
	p, err := PlanChanges(ctx, drv, name, first)
	if err != nil {
		return nil, err
	}
	p.Changes = append(p.Changes, fills...)
	p2, err := PlanChanges(ctx, drv, name, last)
	if err != nil {
		return nil, err
	}
	// The backfill above fills the NULLs, so the analyzers' warning that
	// NOT NULL might fail does not apply to this rebuild.
	for _, c := range p2.Changes {
		if strings.HasPrefix(c.Cmd, "CREATE TABLE `new_") {
			c.Cmd = "-- atlas:nolint LT101 MF104\n" + c.Cmd
		}
	}
	p.Changes = append(p.Changes, p2.Changes...)
	return p, nil
}

// loosen returns a copy of t whose nn columns are nullable.
func loosen(t *schema.Table, nn []notNull) (*schema.Table, map[string]*schema.Column) {
	cp := *t
	cp.Columns = make([]*schema.Column, len(t.Columns))
	cols := map[string]*schema.Column{}
	for i, c := range t.Columns {
		cp.Columns[i] = c
		for _, n := range nn {
			if n.col.Name == c.Name {
				cc := *c
				ct := *c.Type
				ct.Null = true
				cc.Type = &ct
				cp.Columns[i], cols[c.Name] = &cc, &cc
			}
		}
	}
	return &cp, cols
}

// zeroValue is the Go zero value of a column's type, as an SQL literal.
func zeroValue(c *schema.Column) (string, error) {
	switch gormddl.Underlying(c.Type.Type).(type) {
	case *schema.IntegerType, *schema.FloatType, *schema.DecimalType, *schema.BoolType:
		return "0", nil
	case *schema.TimeType:
		return "'0001-01-01 00:00:00+00:00'", nil
	case *schema.BinaryType:
		return "X''", nil
	case *schema.JSONType:
		return "'null'", nil
	default:
		return "''", nil
	}
}
