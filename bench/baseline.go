package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// buildBaseline builds the repository's binary at b.baselineRev (the commit
// before the measuring data-loss guard) into bench/out/baseline, so that the
// guard's cost is measured against the code it replaced on the same machine
// in the same run, not against a figure from another day.
func (b *bench) buildBaseline() error {
	src := filepath.Join(b.out, "baseline-src")
	if err := os.RemoveAll(src); err != nil {
		return err
	}
	if err := os.MkdirAll(src, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(src)
	archive := exec.Command("sh", "-c", fmt.Sprintf("git archive %s | tar -x -C %s", b.baselineRev, src))
	archive.Dir = b.root
	if out, err := archive.CombinedOutput(); err != nil {
		return fmt.Errorf("baseline %s: git archive: %v: %s", b.baselineRev, err, out)
	}
	b.baseline = filepath.Join(b.out, "baseline")
	c := exec.Command("go", "build", "-trimpath", "-o", b.baseline, ".")
	c.Dir = src
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("baseline %s: go build: %v: %s", b.baselineRev, err, out)
	}
	return nil
}
