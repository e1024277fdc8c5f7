package migdir_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/analyze"
	"github.com/structmigrate/structmigrate/internal/migdir"
)

// The seed corpora are in testdata/fuzz/<target>; `go test` runs them, and
// `make fuzz` explores from them.

// oneLine fails the fuzz case when a refusal spans several lines.
func oneLine(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("%s: error spans several lines: %q", what, err)
	}
}

// memDir is a directory of the given files (name, content pairs), hashed.
func memDir(t *testing.T, files ...string) *migrate.MemDir {
	t.Helper()
	d := &migrate.MemDir{}
	d.SetPath("migrations")
	for i := 0; i+1 < len(files); i += 2 {
		if err := d.WriteFile(files[i], []byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// FuzzSumFile: any atlas.sum beside a fixed directory. Validate never
// panics; a refusal is one line; it accepts only the sum the files have; a
// sum that parses round-trips through MarshalText.
func FuzzSumFile(f *testing.F) {
	f.Add([]byte("h1:abc=\n"))
	f.Fuzz(func(t *testing.T, sum []byte) {
		d := memDir(t,
			"20260101000001_init.sql", "CREATE TABLE `t` (`id` integer NOT NULL, PRIMARY KEY (`id`));\n",
			"20260101000002_seed.sql", "INSERT INTO `t` VALUES (1);\n",
		)
		if err := d.WriteFile(migdir.SumFile, sum); err != nil {
			t.Fatal(err)
		}
		err := migdir.Validate(d)
		oneLine(t, "Validate", err)
		want, herr := d.Checksum()
		if herr != nil {
			t.Fatal(herr)
		}
		wantText, _ := want.MarshalText()
		if err == nil && !bytes.Equal(bytes.TrimSpace(sum), bytes.TrimSpace(wantText)) {
			// Atlas compares the parsed sums, so spacing may differ;
			// the parsed values may not.
			var got migrate.HashFile
			if uerr := got.UnmarshalText(sum); uerr != nil || got.Sum() != want.Sum() {
				t.Fatalf("Validate accepted a sum that is not the directory's:\n%q\nwant\n%q", sum, wantText)
			}
		}
		var hf migrate.HashFile
		if hf.UnmarshalText(sum) != nil {
			return
		}
		text, err := hf.MarshalText()
		if err != nil {
			return // e.g. a name with a space cannot be written back
		}
		var again migrate.HashFile
		if err := again.UnmarshalText(text); err != nil {
			t.Fatalf("MarshalText wrote %q, which does not parse: %v", text, err)
		}
		text2, _ := again.MarshalText()
		if !bytes.Equal(text, text2) {
			t.Fatalf("round trip changed the sum file:\n%q\n%q", text, text2)
		}
	})
}

// FuzzFile: one file of any name and content in a directory. Checking its
// name never panics and refuses on one line; an accepted name splits into
// Atlas's version and description and back; hashing then validates; reading
// its statements and directives never panics.
func FuzzFile(f *testing.F) {
	f.Add("20260101000001_init.sql", []byte("-- atlas:txmode none\nCREATE TABLE `t` (`id` integer);\n"))
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		if name == "" || strings.ContainsAny(name, "/\x00") || name == migdir.SumFile {
			t.Skip("not a file name in one directory")
		}
		d := memDir(t, name, string(content))
		files, err := d.Files()
		if err != nil || len(files) != 1 {
			t.Skip("not a .sql file") // Files lists *.sql only
		}
		file := files[0]
		err = migdir.CheckNames(d)
		oneLine(t, "CheckNames", err)
		var ne *migdir.NameError
		switch valid := migdir.ValidFileName(name); {
		case valid && err != nil:
			t.Fatalf("CheckNames(%q) = %v, but the name is valid", name, err)
		case !valid && !errors.As(err, &ne):
			t.Fatalf("CheckNames(%q) = %v, want a NameError", name, err)
		case valid:
			back := file.Version()
			if file.Desc() != "" {
				back += "_" + file.Desc()
			}
			if back+".sql" != name {
				t.Fatalf("%q: version %q, description %q do not give the name back", name, file.Version(), file.Desc())
			}
			for _, r := range file.Version() {
				if r < '0' || r > '9' {
					t.Fatalf("%q accepted with version %q", name, file.Version())
				}
			}
			if err := migdir.Hash(d); err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if err := migdir.Validate(d); err != nil {
				t.Fatalf("Validate after Hash: %v", err)
			}
		}
		stmts, err := migdir.StmtDecls(file)
		if err == nil {
			for _, st := range stmts {
				if st.Pos < 0 || st.Pos > len(content) {
					t.Fatalf("statement at %d outside the file (%d bytes)", st.Pos, len(content))
				}
				_ = migdir.Line(content, st.Pos)
			}
		}
		lf := migrate.NewLocalFile(name, content)
		_ = lf.Directive("txmode")
		_ = analyze.Nolint(lf, stmts, "DS102", "destructive")
	})
}
