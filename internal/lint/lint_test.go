package lint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/lint"
	"github.com/structmigrate/structmigrate/internal/migdir"
)

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "migrations")
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(path, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := migdir.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	return path
}

// The JSON report is a documented, stable interface (docs/ci.md): parse it
// back and check every field.
func TestJSONReport(t *testing.T) {
	path := writeDir(t, map[string]string{
		"20260101000001_init.sql": "CREATE TABLE `t` (`id` integer NOT NULL, `a` text NULL, PRIMARY KEY (`id`));\n",
		"20260101000002_drop.sql": "-- drop a\nALTER TABLE `t` DROP COLUMN `a`;\n-- atlas:nolint DS102\nCREATE TABLE `u` (`id` integer);\n",
	})
	dir, err := migdir.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	r, err := lint.Run(context.Background(), lint.Options{Dir: dir, Latest: 1})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	for _, k := range []string{"dir", "new_files", "diagnostics", "errors", "excused"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("key %q missing from %v", k, keys)
		}
	}
	var got struct {
		Dir         string            `json:"dir"`
		NewFiles    []string          `json:"new_files"`
		Diagnostics []json.RawMessage `json:"diagnostics"`
		Errors      int               `json:"errors"`
		Excused     int               `json:"excused"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Dir != path || !reflect.DeepEqual(got.NewFiles, []string{"20260101000002_drop.sql"}) || got.Errors != 1 || got.Excused != 0 {
		t.Fatalf("report header = %+v", got)
	}
	if len(got.Diagnostics) != 1 {
		t.Fatalf("want 1 diagnostic, got %s", buf.String())
	}
	var d map[string]any
	if err := json.Unmarshal(got.Diagnostics[0], &d); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"rule":     "analyzer",
		"code":     "DS103",
		"file":     filepath.Join(path, "20260101000002_drop.sql"),
		"line":     float64(2),
		"message":  `Dropping non-virtual column "a"`,
		"analyzer": "destructive",
		"excused":  false,
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("diagnostic[%q] = %v, want %v", k, d[k], v)
		}
	}
	if h, _ := d["hint"].(string); !strings.Contains(h, "atlas:nolint DS103") {
		t.Errorf("hint = %q", h)
	}
}

// A directory with nothing wrong reports no diagnostics as an empty list
// (not null), so consumers can iterate without a check.
func TestJSONCleanReport(t *testing.T) {
	path := writeDir(t, map[string]string{"20260101000001_init.sql": "CREATE TABLE `t` (`id` integer);\n"})
	dir, _ := migdir.Open(path, false)
	r, err := lint.Run(context.Background(), lint.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"diagnostics": []`) || r.Errors != 0 {
		t.Fatalf("clean report:\n%s", buf.String())
	}
}
