// Package loader runs the command line against a models package of the
// user's own module, with no code to write: it compiles a throwaway main
// that imports the package (internal/modelsrc finds its models) and calls
// migrator.Main, and runs it. As atlas-provider-gorm's loader does, it
// builds from the current sources every time, so it never answers for
// stale structs.
package loader

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/structmigrate/structmigrate/internal/cli"
)

// Main is cmd/structmigrate: with --models DIR it builds the program for
// that package and runs the command there; otherwise (init, version, or a
// command that needs no structs: apply, status, rollback, lint…) it runs
// the command line itself, with no models.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	dir, rest := cli.LoaderArgs(args)
	if dir == "" {
		return cli.Main(args, cli.Program{}, stdout, stderr)
	}
	code, err := Run(dir, rest, stdin, stdout, stderr)
	if err != nil {
		var ce *CompileError
		if errors.As(err, &ce) {
			for _, l := range ce.Lines {
				fmt.Fprintln(stderr, l)
			}
		}
		fmt.Fprintln(stderr, "Error:", err)
		return cli.ExitFailure
	}
	return code
}

// Run builds the program for the models package in dir and runs it with
// args (args[0] is the program name); it returns the program's exit code.
func Run(dir string, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	tmp, err := os.MkdirTemp("", "structmigrate-loader-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	prog, err := compile(dir, tmp)
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(prog, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	// An interrupt or termination reaches the program, which releases its
	// lock and rolls back its transaction as it would if run directly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sig:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return 0, err
}
