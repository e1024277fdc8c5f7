package plan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// history writes files migrations over tables: the first creates the
// tables, each next one adds a column to one of them (as `make bench`'s
// synthetic histories do).
func history(b *testing.B, files, tables int) migdir.Dir {
	b.Helper()
	path := b.TempDir()
	var init strings.Builder
	for t := 0; t < tables; t++ {
		fmt.Fprintf(&init, "CREATE TABLE `t%d` (`id` text NULL, `a` text NULL, PRIMARY KEY (`id`));\nCREATE INDEX `t%d_a` ON `t%d` (`a`);\n", t, t, t)
	}
	v := 20200101000000
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(path, name), []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write(fmt.Sprintf("%d_init.sql", v), init.String())
	for i := 1; i < files; i++ {
		write(fmt.Sprintf("%d_c%d.sql", v+i, i), fmt.Sprintf("ALTER TABLE `t%d` ADD COLUMN `c%d` text NULL;\n", i%tables, i))
	}
	dir, err := migdir.Open(path, false)
	if err != nil {
		b.Fatal(err)
	}
	if err := migdir.Hash(dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkReplay measures replaying a history on the in-memory dev
// database and inspecting the result: the cost of every diff.
func BenchmarkReplay(b *testing.B) {
	for _, c := range []struct{ files, tables int }{{10, 10}, {100, 10}, {1000, 10}, {1, 1000}} {
		dir := history(b, c.files, c.tables)
		b.Run(fmt.Sprintf("files=%d/tables=%d", c.files, c.tables), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := State(context.Background(), dir, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNext measures a whole diff (replay, compare, plan both ways,
// format) against a desired state equal to the directory's, and with one
// column more.
func BenchmarkNext(b *testing.B) {
	for _, files := range []int{10, 100, 1000} {
		dir := history(b, files, 10)
		same, err := State(context.Background(), dir, "")
		if err != nil {
			b.Fatal(err)
		}
		more, err := State(context.Background(), dir, "")
		if err != nil {
			b.Fatal(err)
		}
		t, _ := more.Table("t0")
		t.AddColumns(schema.NewNullStringColumn("extra", "text"))
		for name, want := range map[string]*schema.Schema{"no-change": same, "one-change": more} {
			b.Run(fmt.Sprintf("files=%d/%s", files, name), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					res, err := Next(context.Background(), dir, Input{Desired: want, Version: "20990101000000", Name: "bench"})
					if err != nil {
						b.Fatal(err)
					}
					if (res != nil) != (name == "one-change") {
						b.Fatalf("%s: result %v", name, res)
					}
				}
			})
		}
	}
}
