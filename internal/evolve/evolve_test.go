package evolve

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestEvolutionShort(t *testing.T) {
	root, err := ModuleRoot(must(os.Getwd()))
	if err != nil {
		t.Fatal(err)
	}
	specs := Sequences(1, 4, 6)
	start := time.Now()
	p, err := Build(root, t.TempDir(), specs, Options{MaxRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("build: %v", time.Since(start))
	start = time.Now()
	rs, err := p.Run(filepath.Join(t.TempDir()), 2, "", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run: %v", time.Since(start))
	t.Log(Summarize(rs))
}
