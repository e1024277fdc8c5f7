package scaffold

import (
	"os"
	"path/filepath"
	"testing"
)

// A write that fails part way removes what init created: the module is
// left as it was. The failure is real: .github is a dangling symlink, which
// the checks see as absent but mkdir cannot replace.
func TestInitUndoesOnWriteFailure(t *testing.T) {
	root := t.TempDir()
	for rel, data := range map[string]string{
		"go.mod":               "module example.com/m\n\ngo 1.26\n",
		"internal/models/m.go": "package models\n\ntype T struct {\n\tID uint `gorm:\"primaryKey\"`\n}\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "nowhere"), filepath.Join(root, ".github")); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(Options{Root: root, Models: "internal/models"}); err == nil {
		t.Fatal("Init succeeded through a dangling .github")
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{".github", "go.mod", "internal"}; len(names) != len(want) || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Fatalf("after a failed write the root holds %v, want %v", names, want)
	}
}
