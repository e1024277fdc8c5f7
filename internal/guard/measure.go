package guard

import (
	"context"
	"errors"
)

// Measure runs one unit on q inside a savepoint: run executes its
// statements (through u.Exec); where digests differ, the savepoint is rolled
// back and run goes again value by value. judge sees the losses before the
// savepoint is released; an error from it (a refusal) rolls the unit back.
// For a unit that cannot be retried this way (apply's Executor, which
// writes revisions), see apply's runGuarded.
func Measure(ctx context.Context, q Queryer, o Options, run func(u *Unit) error, judge func(u *Unit, losses []Loss) error) error {
	o.Detail = nil
	for {
		if _, err := q.ExecContext(ctx, "SAVEPOINT sm_guard"); err != nil {
			return err
		}
		undo := func(err error) error {
			_, err2 := q.ExecContext(ctx, "ROLLBACK TO sm_guard; RELEASE sm_guard")
			return errors.Join(err, err2)
		}
		u, err := Begin(ctx, q, o)
		if err != nil {
			return undo(err)
		}
		if err := run(u); err != nil {
			u.Close(ctx)
			return undo(err)
		}
		r, err := u.End(ctx)
		if err != nil {
			return undo(err)
		}
		if len(r.Suspects) > 0 && o.Detail == nil {
			if err := undo(nil); err != nil {
				return err
			}
			o.Detail = r.Suspects
			continue
		}
		r.SettleSuspects(o.Name)
		if err := judge(u, r.Losses); err != nil {
			return undo(err)
		}
		_, err = q.ExecContext(ctx, "RELEASE sm_guard")
		return err
	}
}
