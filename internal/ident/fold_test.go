package ident

import (
	"database/sql"
	"testing"

	_ "github.com/glebarez/go-sqlite"
)

// TestFoldAsSQLite checks Fold and SameName against SQLite itself: two
// names are one table exactly when creating the second fails.
func TestFoldAsSQLite(t *testing.T) {
	pairs := [][2]string{{"Players", "pLAYERS"}, {"Ä", "ä"}, {"\u212a", "k"}, {"ß", "SS"}, {"İ", "i"}, {"a_B", "A_b"}}
	for _, p := range pairs {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE " + Quote(p[0]) + " (x)"); err != nil {
			t.Fatal(err)
		}
		_, err = db.Exec("CREATE TABLE " + Quote(p[1]) + " (x)")
		db.Close()
		same := err != nil
		if SameName(p[0], p[1]) != same || (Fold(p[0]) == Fold(p[1])) != same {
			t.Errorf("%q vs %q: SQLite same=%v, SameName=%v, Fold equal=%v", p[0], p[1], same, SameName(p[0], p[1]), Fold(p[0]) == Fold(p[1]))
		}
	}
}
