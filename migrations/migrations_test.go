package migrations_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/migrations"
	"github.com/structmigrate/structmigrate/schema"
)

func openDir(t *testing.T) *migrate.LocalDir {
	t.Helper()
	dir, err := migdir.Open(".", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := migdir.Validate(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// The committed history replays cleanly on a dev database and its result
// equals what GORM creates for the structs: `diff` would write nothing.
func TestCommittedHistoryMatchesStructs(t *testing.T) {
	ctx := context.Background()
	dir := openDir(t)
	current, err := plan.State(ctx, dir, "")
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	want, err := desired.Schema(ctx, schema.Models()...)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	changes, err := plan.Diff(dev.Driver, current, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) > 0 {
		p, err := dev.Driver.PlanChanges(ctx, "pending", changes)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Changes {
			t.Errorf("structs and migrations differ; run make migrate-diff: %s", c.Cmd)
		}
	}
}

// The embedded FS carries every file of the directory, so the binary can
// apply it on its own.
func TestEmbeddedDirIsComplete(t *testing.T) {
	dir := openDir(t)
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{migdir.SumFile, "down/" + migdir.SumFile}
	for _, f := range files {
		names = append(names, f.Name())
	}
	down, err := migdir.OpenDown(dir, false)
	if err != nil || !down.Exists() {
		t.Fatalf("down/: %v", err)
	}
	downFiles, err := down.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range downFiles {
		names = append(names, "down/"+f.Name())
	}
	for _, name := range names {
		disk, err := os.ReadFile(filepath.Join(dir.Path(), name))
		if err != nil {
			t.Fatal(err)
		}
		embedded, err := fs.ReadFile(migrations.FS, name)
		if err != nil {
			t.Fatalf("%s is not embedded: %v", name, err)
		}
		if string(disk) != string(embedded) {
			t.Errorf("%s: embedded copy differs from disk", name)
		}
	}
}
