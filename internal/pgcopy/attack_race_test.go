package pgcopy_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The app (not stopped) commits a row in the target while the copy runs,
// between the copy reading the target's rows and deleting them. A session
// holding a SHARE lock on the table holds the copy in that window (its
// DELETE waits), and commits its insert there. The copy must not delete
// that row silently: it refuses, or the row is still there.
func TestAttackTargetWriteDuringCopy(t *testing.T) {
	ddl := []string{"CREATE TABLE players (id bigint PRIMARY KEY, name text)"}
	e := newAttackEnv(t, ddl, ddl)
	e.liteExec(t, "INSERT INTO players VALUES (1, 'seed, changed'), (2, 'from the file')")
	e.pgExec(t, "INSERT INTO players VALUES (1, 'seed')")
	ctx := context.Background()
	app, err := pgx.Connect(ctx, e.pgURL)
	must(t, err)
	defer app.Close(ctx)
	tx, err := app.Begin(ctx)
	must(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "LOCK TABLE players IN SHARE MODE")
	must(t, err)
	done := make(chan error, 1)
	go func() { done <- e.copy(t) }()
	// Wait until the copy waits for a lock on players.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var waiting bool
		must(t, app.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND relation = 'players'::regclass)").Scan(&waiting))
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the copy ended before waiting: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the copy never waited for the table")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err = tx.Exec(ctx, "INSERT INTO players VALUES (99, 'written by the app during the copy')")
	must(t, err)
	must(t, tx.Commit(ctx))
	err = <-done
	var n int
	must(t, e.pg.QueryRow(ctx, "SELECT count(*) FROM players WHERE id = 99").Scan(&n))
	if err == nil && n == 0 {
		t.Fatal("the copy succeeded and the row the app committed during it (id 99) is gone, silently")
	}
	t.Logf("copy: %v; row 99 present: %v", err, n == 1)
}
