package sqlitedb

import (
	"testing"
)

// BenchmarkDigest digests a 1M-row table like the bench's (an INTEGER
// PRIMARY KEY and three columns): the guard's cost on a rebuild is two of
// these (before, in parallel on the reader, and after). scan is SQLite
// reading the same four columns of every row with nothing of ours: the
// floor under digest.
func BenchmarkDigest(b *testing.B) {
	db, err := OpenMemory("digestbench")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE big (id integer PRIMARY KEY, name text, score integer, note text);
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000000)
INSERT INTO big SELECT n, printf('player-%07d', n), (n * 7919) % 100003, printf('note for row %d', n) FROM seq`); err != nil {
		b.Fatal(err)
	}
	b.Run("digest", func(b *testing.B) {
		for range b.N {
			id, _, err := NewDigest([]string{"id", "name", "score", "note"}, []int{0})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.Exec("SELECT sm_digest(?, id, name, score, note) FROM big", id); err != nil {
				b.Fatal(err)
			}
			DropSlot(id)
		}
	})
	b.Run("scan", func(b *testing.B) {
		for range b.N {
			if _, err := db.Exec("SELECT count(id), count(name), count(score), count(note) FROM big"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
