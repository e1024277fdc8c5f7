package config

import (
	"strings"
	"testing"
)

func TestLoadRestorePoints(t *testing.T) {
	src := read(t, "testdata/restore.hcl")
	got, err := Load("restore.hcl", src, "set", environ(map[string]string{"BACKUPS": "/srv/backups"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := (RestorePoints{Dir: "/srv/backups/app", Keep: 3, MaxBytes: 3 << 29}); got.Restore != want {
		t.Errorf("set: %+v, want %+v", got.Restore, want)
	}
	if got, err := Load("restore.hcl", src, "bytes", nil); err != nil || got.Restore != (RestorePoints{MaxBytes: 4096}) {
		t.Errorf("bytes: %+v, %v", got, err)
	}
	// The project file has no block: defaults.
	if got, err := Load(projectFile, read(t, projectFile), "local", environ(nil)); err != nil || got.Restore != (RestorePoints{}) {
		t.Errorf("atlas.hcl local: %+v, %v", got, err)
	}
}

func TestLoadRestorePointsErrors(t *testing.T) {
	// An unset variable never makes a folder of "/app".
	if _, err := Load("restore.hcl", read(t, "testdata/restore.hcl"), "set", environ(nil)); err == nil || err.Error() != `restore.hcl:5:16: env "set": restore_points.dir uses $BACKUPS, which is not set (or empty)` {
		t.Errorf("unset: %v", err)
	}
	block := func(body string) []byte {
		return []byte("env \"x\" {\n  url = \"sqlite://a.db\"\n  restore_points {\n    " + body + "\n  }\n}\n")
	}
	for body, want := range map[string]string{
		"keep = 0":               `x.hcl:4:12: Invalid value; env "x": restore_points.keep must be a whole number of restore points, 1 or more`,
		"keep = 2.5":             `x.hcl:4:12: Invalid value; env "x": restore_points.keep must be a whole number`,
		`keep = "many"`:          `x.hcl:4:12: Invalid value; env "x": restore_points.keep must be a whole number`,
		`max_size = "lots"`:      `x.hcl:4:16: Invalid value; env "x": restore_points.max_size: size "lots": want a number of bytes`,
		`max_size = "1e9"`:       `x.hcl:4:16: Invalid value; env "x": restore_points.max_size: size "1e9": want a number of bytes`,
		`max_size = ["1GB"]`:     `x.hcl:4:16: Invalid value; env "x": restore_points.max_size must be a size such as "5GB", not tuple`,
		`dir = ["a"]`:            `x.hcl:4:11: Incorrect attribute value type; env "x": restore_points.dir must be a string`,
		`keep = local.undefined`: `x.hcl:4:17: Unsupported attribute`,
	} {
		_, err := Load("x.hcl", block(body), "x", environ(nil))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %s…", body, err, want)
		}
	}
	dup := []byte("env \"x\" {\n  url = \"sqlite://a.db\"\n  restore_points {}\n  restore_points {}\n}\n")
	if _, err := Load("dup.hcl", dup, "x", nil); err == nil || !strings.Contains(err.Error(), "dup.hcl:4:3: Duplicate definition; restore_points block was already defined at dup.hcl:3:3") {
		t.Errorf("duplicate: %v", err)
	}
	unknown := []byte("env \"x\" {\n  url = \"sqlite://a.db\"\n  restore_points {\n    count = 3\n  }\n}\n")
	if _, err := Load("unknown.hcl", unknown, "x", nil); err == nil || !strings.Contains(err.Error(), `unknown.hcl:4:5: Unsupported argument; An argument named "count" is not expected here.`) {
		t.Errorf("unknown attribute: %v", err)
	}
}
