package guard

import (
	"context"
	"testing"
	"time"
)

// waitClosed waits until the reader has released its snapshot.
func waitClosed(t *testing.T, r *reader) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !r.isClosed(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reader kept its snapshot with nothing left to measure")
		}
	}
}

// A column added while the reader is still busy (pinned by a measurement
// of another table) is not part of the state before the unit: when the
// reader has gone by the time a later statement fills it, the writer's
// measurement must leave it out, or a backfill of the new column is
// refused as a loss.
func TestAddedColumnMeasuredOnWriter(t *testing.T) {
	ctx := context.Background()
	_, u, exec := spillUnit(t, map[string]bool{"b": true})
	// The reader is busy (as with a prefetched measurement of a big table).
	if !u.pinReader(ctx) {
		t.Fatal("no reader")
	}
	exec("ALTER TABLE b ADD COLUMN caps integer NOT NULL DEFAULT 0")
	u.reader.unpin()
	waitClosed(t, u.reader)
	exec("UPDATE b SET caps = 5")
	res, err := u.End(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Losses) > 0 || len(res.Suspects) > 0 {
		t.Fatalf("losses %v, suspects %v: want none, caps did not exist before the unit", res.Losses, keys(res.Suspects))
	}
}
