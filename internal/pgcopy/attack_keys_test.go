package pgcopy_test

import (
	"slices"
	"testing"
)

// Two rows of a composite text key whose parts, joined as the copy joins
// them ("a=…, b=…"), make the same text: ("p, b=q", "r") and ("p", "q, b=r").
var collidingKeyDDL = []string{"CREATE TABLE pairs (a text, b text, v text, PRIMARY KEY (a, b))"}

// The target's seed holds both rows; the source only the first (the app
// deleted the second). The copy must refuse (the target holds a row the
// source does not have), not drop the second row silently.
func TestAttackCompositeKeyCollisionSeed(t *testing.T) {
	e := newAttackEnv(t, collidingKeyDDL, collidingKeyDDL)
	e.liteExec(t, "INSERT INTO pairs VALUES ('p, b=q', 'r', 'one')")
	e.pgExec(t, "INSERT INTO pairs VALUES ('p, b=q', 'r', 'one'), ('p', 'q, b=r', 'two')")
	err := e.copy(t)
	if err == nil {
		got := e.pgStrings(t, "SELECT a || '|' || b || '|' || v FROM pairs ORDER BY 1")
		t.Fatalf("the copy succeeded; the target now holds %q: the seeded row ('p', 'q, b=r', 'two') was dropped silently", got)
	}
	oneLine(t, err, "pairs", "not empty")
}

// Both rows in the source, an empty target: they arrive.
func TestAttackCompositeKeyCollision(t *testing.T) {
	e := newAttackEnv(t, collidingKeyDDL, collidingKeyDDL)
	e.liteExec(t, "INSERT INTO pairs VALUES ('p, b=q', 'r', 'one'), ('p', 'q, b=r', 'two')")
	if err := e.copy(t); err != nil {
		t.Fatalf("false refusal: %v", err)
	}
	got := e.pgStrings(t, "SELECT a || '|' || b || '|' || v FROM pairs ORDER BY 1")
	if want := []string{"p, b=q|r|one", "p|q, b=r|two"}; !slices.Equal(got, want) {
		t.Fatalf("target %q, want %q", got, want)
	}
}

// A text key holding a newline, in a row whose other value is refused:
// the refusal stays one line.
func TestAttackKeyNewlineMessage(t *testing.T) {
	ddl := []string{"CREATE TABLE notes (code text PRIMARY KEY, done boolean)"}
	e := newAttackEnv(t, []string{"CREATE TABLE notes (code text PRIMARY KEY, done numeric)"}, ddl)
	e.liteExec(t, "INSERT INTO notes VALUES ('line one\nError: line two', 2)")
	oneLine(t, e.copy(t), "notes", "done", `line one\nError: line two`, "value 2")
}
