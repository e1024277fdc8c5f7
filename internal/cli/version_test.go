package cli

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
)

// version names the newest embedded migration by version order, not by the
// order files were added, and the version given at link time.
func TestWriteVersion(t *testing.T) {
	saved := buildVersion
	t.Cleanup(func() { buildVersion = saved })
	buildVersion = "v9.8.7"

	sql := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	fsys := fstest.MapFS{
		"20260102000000_b.sql": sql("CREATE TABLE b (id int);\n"),
		"20260101000000_a.sql": sql("CREATE TABLE a (id int);\n"),
	}
	var out bytes.Buffer
	if err := writeVersion(&out, Program{Migrations: fsys}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "structmigrate version v9.8.7") {
		t.Errorf("first line %q: want the link-time version", lines[0])
	}
	if want := "embedded migrations: 2 files, latest 20260102000000 (20260102000000_b.sql)"; lines[1] != want {
		t.Errorf("got %q, want %q", lines[1], want)
	}

	out.Reset()
	if err := writeVersion(&out, Program{Migrations: fstest.MapFS{}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "embedded migrations: none\n") {
		t.Errorf("empty directory: got %q", out.String())
	}
}
