package pgcopy_test

import (
	"context"
	"slices"
	"testing"
)

// The target's history has an audit trigger: each insert into players
// writes a row into audit_log (a table that sorts, and so is copied and
// verified, before players). The copy's inserts must not leave rows in
// audit_log that the source does not have, after a verification that
// said every table matches.
func TestAttackTargetTrigger(t *testing.T) {
	lite := []string{
		"CREATE TABLE audit_log (id integer PRIMARY KEY, note text)",
		"CREATE TABLE players (id integer PRIMARY KEY, name text)",
	}
	pg := []string{
		"CREATE TABLE audit_log (id bigserial PRIMARY KEY, note text)",
		"CREATE TABLE players (id bigserial PRIMARY KEY, name text)",
		`CREATE FUNCTION log_player() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN INSERT INTO audit_log (id, note) VALUES (1000 + NEW.id, 'player ' || NEW.name); RETURN NEW; END $$`,
		"CREATE TRIGGER players_log AFTER INSERT ON players FOR EACH ROW EXECUTE FUNCTION log_player()",
	}
	e := newAttackEnv(t, lite, pg)
	e.liteExec(t, "INSERT INTO audit_log VALUES (1, 'player ann'), (2, 'player bob')")
	e.liteExec(t, "INSERT INTO players VALUES (1, 'ann'), (2, 'bob')")
	err := e.copy(t)
	got := e.pgStrings(t, "SELECT id || ' ' || note FROM audit_log ORDER BY id")
	if err == nil && !slices.Equal(got, []string{"1 player ann", "2 player bob"}) {
		t.Fatalf("the copy succeeded, verified, and audit_log holds %q, not the source's 2 rows", got)
	}
	t.Logf("copy: %v; audit_log %q", err, got)
}

// Ids the source holds that a sequence cannot start after: 0 and
// negatives (SQLite takes them; the app's next insert gets 1).
func TestAttackSequenceZero(t *testing.T) {
	e := newAttackEnv(t,
		[]string{"CREATE TABLE things (id integer PRIMARY KEY, name text)"},
		[]string{"CREATE TABLE things (id bigserial PRIMARY KEY, name text)"})
	e.liteExec(t, "INSERT INTO things VALUES (0, 'zero'), (-5, 'minus five')")
	if err := e.copy(t); err != nil {
		t.Fatalf("false refusal: %v", err)
	}
	var id int64
	must(t, e.pg.QueryRow(context.Background(), "INSERT INTO things (name) VALUES ('next') RETURNING id").Scan(&id))
	if id <= 0 {
		t.Fatalf("next id %d collides", id)
	}
}
