package revisions_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/revisions"
)

// TestSet follows the CLI's migrate set: rows after the version go, files
// after the last remaining row up to the version are recorded (resolved,
// with their atlas.sum hash), older unapplied files stay unapplied; beyond
// the CLI, rows whose file is gone are removed.
func TestSet(t *testing.T) {
	dir := &migrate.MemDir{}
	for _, n := range []string{"1_a.sql", "2_b.sql", "3_c.sql", "4_d.sql"} {
		if err := dir.WriteFile(n, []byte("SELECT 1;\n")); err != nil {
			t.Fatal(err)
		}
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	sums, err := migrate.NewHashFile(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		rows       []string // versions applied before
		version    string
		want       []string // versions after
		wantOps    []string // "+v" set, "-v" removed
		wantSetNew []string // rows written as resolved
	}{
		{"empty table", nil, "2", []string{"1", "2"}, []string{"+1", "+2"}, []string{"1", "2"}},
		{"forward skips an older unapplied file", []string{"1", "3"}, "4", []string{"1", "3", "4"}, []string{"+4"}, []string{"4"}},
		{"back removes later rows", []string{"1", "2", "3"}, "1", []string{"1"}, []string{"-2", "-3"}, nil},
		{"a row without a file goes", []string{"1", "9"}, "2", []string{"1", "2"}, []string{"+2", "-9"}, []string{"2"}},
		{"a row without a file before the version goes", []string{"1", "2a"}, "4", []string{"1", "2", "3", "4"}, []string{"+2", "-2a", "+3", "+4"}, []string{"2", "3", "4"}},
		{"nothing to do", []string{"1", "2"}, "2", []string{"1", "2"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openDB(t)
			ctx := context.Background()
			s := revisions.New(db)
			if err := s.Init(ctx); err != nil {
				t.Fatal(err)
			}
			for _, v := range tc.rows {
				if err := s.WriteRevision(ctx, &migrate.Revision{Version: v, Description: "x", Type: migrate.RevisionTypeExecute, Applied: 1, Total: 1, ExecutedAt: time.Now(), Hash: "old"}); err != nil {
					t.Fatal(err)
				}
			}
			ops, err := revisions.Set(ctx, s, files, sums, tc.version, "test")
			if err != nil {
				t.Fatal(err)
			}
			var gotOps []string
			for _, op := range ops {
				sign := "+"
				if op.Op == "remove" {
					sign = "-"
				}
				gotOps = append(gotOps, sign+op.Version)
			}
			if !slices.Equal(gotOps, tc.wantOps) {
				t.Errorf("ops = %v, want %v", gotOps, tc.wantOps)
			}
			revs, err := s.ReadRevisions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range revs {
				got = append(got, r.Version)
				if !slices.Contains(tc.wantSetNew, r.Version) {
					if r.Hash != "old" {
						t.Errorf("row %s rewritten: hash %q", r.Version, r.Hash)
					}
					continue
				}
				h, err := sums.SumByName(r.Version + "_" + map[string]string{"1": "a", "2": "b", "3": "c", "4": "d"}[r.Version] + ".sql")
				if err != nil {
					t.Fatal(err)
				}
				if r.Type != migrate.RevisionTypeResolved || r.Hash != h || r.OperatorVersion != "test" || r.Applied != r.Total {
					t.Errorf("row %s = type %v hash %q operator %q applied %d/%d, want resolved with the atlas.sum hash", r.Version, r.Type, r.Hash, r.OperatorVersion, r.Applied, r.Total)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rows = %v, want %v", got, tc.want)
			}
		})
	}
}
