package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// outcome is one finished process.
type outcome struct {
	name           string
	stdout, stderr string
	exit           int
	wall           time.Duration
	rss            int64 // peak resident set size, KiB
	err            error // could not run at all
}

func (o outcome) fail(what string) error {
	if o.err != nil {
		return fmt.Errorf("%s: %s: %w", what, o.name, o.err)
	}
	return fmt.Errorf("%s: %s exited %d\nstdout:\n%s\nstderr:\n%s", what, o.name, o.exit, clip(o.stdout), clip(o.stderr))
}

func clip(s string) string {
	if len(s) > 4000 {
		return s[:2000] + "\n…\n" + s[len(s)-2000:]
	}
	return s
}

// launcher is bench/out/rusage (bench/rusage), through which every process
// is started once it is built.
var launcher string

// run starts c, waits for it, and returns its wall time (start to exit)
// and peak RSS (ru_maxrss from cmd.ProcessState.SysUsage()), both measured
// by the small launcher process, which starts c as its own child.
func run(c *exec.Cmd) outcome {
	o := outcome{name: strings.Join(c.Args, " ")}
	var report *os.File
	if launcher != "" {
		l := exec.Command(launcher, append([]string{c.Path}, c.Args[1:]...)...)
		l.Dir, l.Env, l.Stdin, l.Stdout = c.Dir, c.Env, c.Stdin, c.Stdout
		r, w, err := os.Pipe()
		if err != nil {
			o.err = err
			return o
		}
		defer r.Close()
		l.ExtraFiles = []*os.File{w}
		c, report = l, r
		defer w.Close()
	}
	var stdout, stderr bytes.Buffer
	if c.Stdout == nil {
		c.Stdout = &stdout
	}
	c.Stderr = &stderr
	start := time.Now()
	err := c.Start()
	if err == nil {
		if len(c.ExtraFiles) > 0 {
			c.ExtraFiles[0].Close() // the launcher holds the write end now
		}
		err = c.Wait()
	}
	o.wall = time.Since(start)
	o.stdout, o.stderr = stdout.String(), stderr.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
	default:
		o.err = err
		return o
	}
	o.exit = c.ProcessState.ExitCode()
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		o.rss = ru.Maxrss // KiB on Linux
	}
	if report != nil {
		data, err := io.ReadAll(report)
		var ns int64
		if _, err2 := fmt.Sscan(string(data), &ns, &o.rss); err != nil || err2 != nil {
			o.err = fmt.Errorf("no report from %s (exit %d): %q %v %v; stderr: %s", launcher, o.exit, data, err, err2, o.stderr)
			return o
		}
		o.wall = time.Duration(ns)
	}
	return o
}

// cmd runs bin with args in dir.
func (b *bench) cmd(dir, bin string, args ...string) outcome {
	c := exec.Command(bin, args...)
	c.Dir = dir
	return run(c)
}

// goCmd runs the go command in the repository root, CGO disabled,
// streaming its output.
func (b *bench) goCmd(args ...string) error {
	c := exec.Command("go", args...)
	c.Dir = b.root
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return nil
}

// A measurement is one row of the raw table: a command run several times.
type measurement struct {
	Scenario, Command string
	Wall              []time.Duration
	RSS               []int64
	WantExit, Exit    int // Exit is the first unexpected exit code, else WantExit
	Last              outcome
}

func (m *measurement) Median() time.Duration {
	s := slices.Clone(m.Wall)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (m *measurement) Min() time.Duration {
	if len(m.Wall) == 0 {
		return 0
	}
	return slices.Min(m.Wall)
}

// PeakRSS is the largest peak RSS over the runs, KiB.
func (m *measurement) PeakRSS() int64 {
	if len(m.RSS) == 0 {
		return 0
	}
	return slices.Max(m.RSS)
}

func (m *measurement) OK() bool { return m.Exit == m.WantExit && len(m.Wall) > 0 }

// spec describes what to measure.
type spec struct {
	scenario, command string
	runs              int
	wantExit          int
	warmup            bool                // one untimed run first
	setup             func() error        // before each run, untimed (e.g. copy a database)
	cmd               func() *exec.Cmd    // a fresh command per run
	check             func(outcome) error // after the first timed run, untimed
}

// measure runs the spec and records it.
func (b *bench) measure(s spec) (*measurement, error) {
	m := &measurement{Scenario: s.scenario, Command: s.command, WantExit: s.wantExit, Exit: s.wantExit}
	b.logf("measure %s: %s (%d runs)", s.scenario, s.command, s.runs)
	if s.warmup {
		if err := b.once(s, m, false); err != nil {
			return nil, err
		}
	}
	for range s.runs {
		if err := b.once(s, m, true); err != nil {
			return nil, err
		}
	}
	b.done(m)
	return m, nil
}

// measurePair measures two specs with the same number of runs alternately
// (x y y x x y …): a ratio of two binaries on the same work (the guard's
// cost against the baseline) then does not depend on which of them ran
// while the machine was busier.
func (b *bench) measurePair(x, y spec) (*measurement, *measurement, error) {
	mx := &measurement{Scenario: x.scenario, Command: x.command, WantExit: x.wantExit, Exit: x.wantExit}
	my := &measurement{Scenario: y.scenario, Command: y.command, WantExit: y.wantExit, Exit: y.wantExit}
	b.logf("measure %s: %s and %s, alternately (%d runs each)", x.scenario, x.command, y.command, x.runs)
	for i := range x.runs {
		first, second, m1, m2 := x, y, mx, my
		if i%2 == 1 {
			first, second, m1, m2 = y, x, my, mx
		}
		if err := b.once(first, m1, true); err != nil {
			return nil, nil, err
		}
		if err := b.once(second, m2, true); err != nil {
			return nil, nil, err
		}
	}
	b.done(mx)
	b.done(my)
	return mx, my, nil
}

// once runs s one time into m; timed runs are recorded, and the first one
// checked.
func (b *bench) once(s spec, m *measurement, timed bool) error {
	if s.setup != nil {
		if err := s.setup(); err != nil {
			return fmt.Errorf("%s %s: setup: %w", s.scenario, s.command, err)
		}
	}
	o := run(s.cmd())
	if o.err != nil {
		return o.fail(s.scenario + " " + s.command)
	}
	if o.exit != s.wantExit && m.Exit == s.wantExit {
		m.Exit = o.exit
		b.logf("  unexpected exit %d (want %d): %s", o.exit, s.wantExit, firstLine(o.stderr))
	}
	m.Last = o
	if !timed {
		return nil
	}
	m.Wall = append(m.Wall, o.wall)
	m.RSS = append(m.RSS, o.rss)
	if s.check != nil && len(m.Wall) == 1 {
		if err := s.check(o); err != nil {
			return fmt.Errorf("%s %s: %w", s.scenario, s.command, err)
		}
	}
	return nil
}

func (b *bench) done(m *measurement) {
	b.logf("  %s: median %s, min %s, peak RSS %s", m.Command, ms(m.Median()), ms(m.Min()), mib(m.PeakRSS()))
	b.results = append(b.results, m)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// copyDB copies a SQLite file (with no journal beside it) and syncs it, so
// that the measured run does not pay for the copy's write-back.
func copyDB(src, dst string) error {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
