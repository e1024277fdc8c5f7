// Package loader runs the command line against a models package of the
// user's own module, with no code to write: it compiles a throwaway main
// that imports the package (internal/modelsrc finds its models) and calls
// migrator.Main, and runs it. As atlas-provider-gorm's loader does, it
// builds from the current sources every time, so it never answers for
// stale structs.
package loader

import (
	"context"
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
// An interrupt or termination while it builds stops go build and removes
// the temporary folder (128+signal, as a shell reports it); while the
// program runs, the signal reaches the program, which releases its lock and
// rolls back its transaction as it would if run directly.
func Run(dir string, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	tmp, err := os.MkdirTemp("", "structmigrate-loader-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	prog, got, err := compileUnlessSignaled(dir, tmp, sig)
	if got != nil {
		return signalCode(got), nil
	}
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(prog, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
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

// compileUnlessSignaled runs compile, cancelling its go commands on the
// first signal; got is that signal (the build's result is then moot).
func compileUnlessSignaled(dir, tmp string, sig <-chan os.Signal) (prog string, got os.Signal, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop, watched := make(chan struct{}), make(chan os.Signal, 1)
	go func() {
		select {
		case s := <-sig:
			cancel()
			watched <- s
		case <-stop:
			watched <- nil
		}
	}()
	prog, err = compile(ctx, dir, tmp)
	close(stop)
	if s := <-watched; s != nil {
		return "", s, nil
	}
	return prog, nil, err
}

func signalCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 128 + int(syscall.SIGINT)
}
