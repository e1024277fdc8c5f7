package pgtest

import (
	"context"
	"database/sql"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// Two databases of one server are separate and empty.
func TestNewDB(t *testing.T) {
	a, b := NewDB(t), NewDB(t)
	if a == b {
		t.Fatalf("the same database twice: %s", a)
	}
	ctx := context.Background()
	da, err := sql.Open("pgx", a)
	if err != nil {
		t.Fatal(err)
	}
	defer da.Close()
	if _, err := da.ExecContext(ctx, `CREATE TABLE "t" ("x" int)`); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", b)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a fresh database has %d tables in public, want 0", n)
	}
}
