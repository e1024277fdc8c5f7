package sqlitedb

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// TestSeedPerProcess: a value's hash differs from one process to the next,
// so no file can carry a value computed to cancel a change in a digest.
func TestSeedPerProcess(t *testing.T) {
	if os.Getenv("SM_PRINT_HASH") != "" {
		fmt.Print(keyed(10, seed[seedInt]), " ", hashBytes([]byte("Ann"), seed[seedText]))
		os.Exit(0)
	}
	run := func() string {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestSeedPerProcess$")
		cmd.Env = append(os.Environ(), "SM_PRINT_HASH=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	a, b := run(), run()
	if a == "" || a == b {
		t.Fatalf("the same hashes in two processes: %q, %q", a, b)
	}
}
