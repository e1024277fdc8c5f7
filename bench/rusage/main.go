// Command rusage runs one command and reports its wall time (start to exit)
// and peak RSS (ru_maxrss, KiB) on file descriptor 3, then exits with the
// command's exit code. The bench program starts every measured process
// through it: Linux carries a parent's peak RSS into its child's ru_maxrss
// across fork and exec, so the child of the (large) bench process would
// never report less than the bench process itself; this one stays about
// 2 MiB.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rusage COMMAND [ARG...] 3>REPORT")
		os.Exit(125)
	}
	report := os.NewFile(3, "report")
	c := exec.Command(os.Args[1], os.Args[2:]...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rusage:", err)
		os.Exit(125)
	}
	_ = c.Wait() // the exit status is reported below
	wall := time.Since(start)
	var rss int64
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	if report != nil {
		fmt.Fprintf(report, "%d %d\n", wall.Nanoseconds(), rss)
		report.Close()
	}
	os.Exit(c.ProcessState.ExitCode())
}
