package plan

import (
	"context"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/gormddl"
	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
)

// PlanChanges plans changes as `atlas migrate diff` does for SQLite
// (statements without a schema prefix), after refusing the names Atlas
// would write into them and cannot (ident.CheckChanges), writing types,
// defaults and UNIQUE constraints as GORM does (gormddl.Plan). Every plan of
// this project is made here or by gormddl.Plan. Views and triggers are
// planned by Splice.
func PlanChanges(ctx context.Context, drv migrate.Driver, name string, changes []schema.Change) (*migrate.Plan, error) {
	changes, objs := objects.Split(changes)
	if err := ident.CheckChanges(changes); err != nil {
		return nil, err
	}
	p := &migrate.Plan{Name: name, Reversible: true, Transactional: true}
	if len(changes) > 0 {
		var err error
		if p, err = gormddl.Plan(ctx, drv, name, changes, unqualified); err != nil {
			return nil, err
		}
	}
	Splice(p, objs)
	return p, nil
}

// Splice adds the statements of view and trigger changes to p: the drops
// before its first statement that is not a PRAGMA (before a table they read
// is dropped or rebuilt), the creates after its last one but the closing
// "PRAGMA foreign_keys = on" (after the tables they read exist).
func Splice(p *migrate.Plan, changes []*objects.Change) {
	if len(changes) == 0 {
		return
	}
	var drops, creates []*migrate.Change
	for _, c := range changes {
		mc := &migrate.Change{Cmd: c.Cmd(), Comment: c.Comment()}
		if c.Drop {
			drops = append(drops, mc)
		} else {
			creates = append(creates, mc)
		}
	}
	splice(p, drops, creates)
}

// CheckPlan refuses a plan holding a statement that is not exactly one
// complete SQL statement. It runs before a generated file is written and
// before a computed rollback is executed: whatever made a statement end
// early (a name, an expression Atlas read wrongly from a schema), its rest
// must not run as SQL of its own.
func CheckPlan(p *migrate.Plan) error {
	for _, c := range p.Changes {
		if err := migdir.OneStmt(c.Cmd); err != nil {
			return &SplitError{Stmt: c.Cmd, Err: err}
		}
	}
	return nil
}

// SplitError refuses a planned statement that is not one statement.
type SplitError struct {
	Stmt string
	Err  error
}

func (e *SplitError) Error() string {
	return fmt.Sprintf("planned statement %q is not one complete SQL statement (%v); refused", migdir.OneLine(e.Stmt, 80), e.Err)
}

func (e *SplitError) Unwrap() error { return e.Err }
