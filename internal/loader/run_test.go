package loader

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/testmodule"
)

// A termination while the loader builds stops go build and leaves nothing
// in $TMPDIR: before, the loader died at once (Go's default action), and
// its folder (the generated main.go, overlay.json and the binary an
// orphaned go build went on to link) and go's own work folder stayed.
func TestRunSignalWhileBuilding(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs with the go command")
	}
	bin := filepath.Join(t.TempDir(), "structmigrate")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/structmigrate").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mod := testmodule.Write(t, "example.com/app", map[string]string{
		// If the build wins the race, the program blocks until the
		// forwarded signal ends it: the outcome is the same either way.
		"models/m.go": "package models\n\nimport \"time\"\n\nfunc init() { time.Sleep(time.Minute) }\n\n" +
			"type T struct {\n\tID uint `gorm:\"primaryKey\"`\n}\n",
	})
	tmp := t.TempDir()
	cmd := exec.Command(bin, "--models", "./models", "--db", "app.db", "schema")
	cmd.Dir = mod
	cmd.Env = append(append(os.Environ(), testmodule.Offline...), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The build has begun once the generated main.go is written.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(tmp, "structmigrate-loader-*", "main.go")); len(m) > 0 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the loader wrote no main.go within a minute")
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+int(syscall.SIGTERM) {
		t.Errorf("exit: %v, want status %d", err, 128+int(syscall.SIGTERM))
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left in $TMPDIR: %s", e.Name())
	}
}
