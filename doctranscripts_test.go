package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// transcriptInfo is the info string of a transcript TestDocTranscripts runs.
const transcriptInfo = "console run"

// TestDocTranscripts runs the ```console run blocks of README.md and
// docs/*.md: transcripts, each `$ COMMAND` line followed by what it prints.
//
//   - Per page, a fresh copy of the repository (copyRepo) is the working
//     directory, and the page's blocks run in page order in one bash, so
//     `cd`, variables and files carry from one command and block to the
//     next; `echo $?` sees the previous command's exit status. A command's
//     lines after the first start with `> ` (a heredoc).
//   - stderr goes with stdout; the lines up to the next `$ ` are the
//     expected output, compared after maskRuns (versions, restore points'
//     times, durations).
//   - A line `…` or `… (NOTE)`, alone on its line, stands for one or more
//     lines the page leaves out; nothing else is a wildcard.
//   - `structmigrate` on PATH is the binary built from the copy (once per
//     run); STORAGE_PATH is unset; TMPDIR is the test's, so `mktemp -d` is
//     a scratch directory inside it. No command needs a path of our machines.
//
// STRUCTMIGRATE_UPDATE_DOCS=1 rewrites the outputs that differ with what
// the commands printed (review the diff: elisions in them are lost).
func TestDocTranscripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the docs' transcripts in copies of the repository")
	}
	skipWithoutSample(t)
	for _, tool := range []string{"bash", "sqlite3"} { // the pages run sqlite3
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	type pageRun struct {
		page, src string
		blocks    []fence
		cmds      []command
	}
	var runs []pageRun
	total := 0
	for _, page := range pages {
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseFences(string(src))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		r := pageRun{page: page, src: string(src)}
		for _, b := range blocks {
			if b.info != transcriptInfo {
				continue
			}
			cmds, err := parseTranscript(b)
			if err != nil {
				t.Fatalf("%s:%v", page, err)
			}
			r.blocks = append(r.blocks, b)
			r.cmds = append(r.cmds, cmds...)
		}
		if len(r.cmds) > 0 {
			runs = append(runs, r)
			total += len(r.cmds)
		}
	}
	if total < 50 {
		t.Errorf("found only %d transcript commands: is the scan broken?", total)
	}

	bin := filepath.Join(t.TempDir(), "bin")
	start := time.Now()
	build := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-o", filepath.Join(bin, "structmigrate"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build: %v", time.Since(start).Round(time.Millisecond))

	update := os.Getenv("STRUCTMIGRATE_UPDATE_DOCS") == "1"
	for _, r := range runs {
		repo := copyRepo(t)
		env := append(tutorialEnv(), "TMPDIR="+t.TempDir(), "LC_ALL=C",
			"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		start := time.Now()
		outs, err := runTranscript(repo, env, r.cmds)
		t.Logf("%s: %d commands, %v", r.page, len(r.cmds), time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Errorf("%s: %v", r.page, err)
		}
		changed := false
		for i, c := range r.cmds {
			if i >= len(outs) {
				break
			}
			if matchOutput(c.want, outs[i]) {
				continue
			}
			if update {
				r.cmds[i].want, changed = outs[i], true
				continue
			}
			t.Errorf("%s:%d: the output of\n%s\ndiffers from the page's; masked, the page says:\n%s-- and the command printed:\n%s",
				r.page, c.line, strings.TrimSuffix(command{cmd: c.cmd}.String(), "\n"), maskRuns(c.want), maskRuns(outs[i]))
		}
		if changed {
			texts := map[int]string{}
			for _, b := range r.blocks {
				var s strings.Builder
				for _, c := range r.cmds {
					if c.block == b.line {
						s.WriteString(c.String())
					}
				}
				texts[b.line] = s.String()
			}
			if err := os.WriteFile(r.page, []byte(replaceOutputs(r.src, texts)), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote outputs of %s", r.page)
		}
	}
}

// command is one `$ ` command of a transcript and the output the page shows.
type command struct {
	cmd   string // without `$ `; a heredoc's lines joined by \n
	want  string // the lines after it, each ending in \n
	line  int    // the `$ ` line in the page
	block int    // the opening fence's line
}

// String is the command as the page writes it.
func (c command) String() string {
	var b strings.Builder
	for i, l := range strings.Split(c.cmd, "\n") {
		switch {
		case i == 0:
			b.WriteString("$ " + l + "\n")
		case l == "":
			b.WriteString(">\n")
		default:
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String() + c.want
}

// parseTranscript splits a block into its commands. Its first line must be
// a command: output before any would be output of nothing.
func parseTranscript(b fence) ([]command, error) {
	var cmds []command
	lines := strings.SplitAfter(b.text, "\n")
	for i, l := range lines {
		if l == "" {
			continue
		}
		switch {
		case strings.HasPrefix(l, "$ "):
			cmds = append(cmds, command{cmd: strings.TrimSuffix(l[2:], "\n"), line: b.line + 1 + i, block: b.line})
		case len(cmds) == 0:
			return nil, fmt.Errorf("%d: a ```%s block must start with a `$ ` command line", b.line+1+i, transcriptInfo)
		case (strings.HasPrefix(l, "> ") || l == ">\n") && cmds[len(cmds)-1].want == "":
			c := &cmds[len(cmds)-1]
			c.cmd += "\n" + strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(l, ">"), " "), "\n")
		default:
			cmds[len(cmds)-1].want += l
		}
	}
	for _, c := range cmds {
		if strings.TrimSpace(c.cmd) == "" {
			return nil, fmt.Errorf("%d: an empty command", c.line)
		}
	}
	return cmds, nil
}

// transcriptMark separates the commands' outputs in the script's output.
const transcriptMark = "\x1edoc-transcript\x1e"

// runTranscript runs the commands in one bash, in dir, and returns what each
// printed (stdout and stderr together). Before each command the script
// prints a mark and restores the previous command's exit status, which
// printing the mark reset. An error: the shell stopped before the last
// command, or ran too long.
func runTranscript(dir string, env []string, cmds []command) ([]string, error) {
	var script strings.Builder
	script.WriteString("exec 2>&1\n__doc_status=0\n")
	for _, c := range cmds {
		fmt.Fprintf(&script, "printf '%%s\\n' '%s'\n(exit $__doc_status); %s\n__doc_status=$?\n", transcriptMark, c.cmd)
	}
	fmt.Fprintf(&script, "printf '%%s\\n' '%s'\n", transcriptMark)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c", script.String())
	sh.Dir, sh.Env = dir, env
	sh.WaitDelay = 10 * time.Second
	out, err := sh.CombinedOutput()
	// parts[0] is before the first mark (nothing); the last is after the
	// final mark.
	parts := strings.Split(string(out), transcriptMark+"\n")
	var outs []string
	for _, p := range parts[1:] {
		if p != "" && !strings.HasSuffix(p, "\n") {
			p += "\n" // the page's output ends its last line
		}
		outs = append(outs, p)
	}
	switch {
	case ctx.Err() != nil:
		return outs, fmt.Errorf("the commands ran for more than 5 minutes: %v", ctx.Err())
	case len(outs) != len(cmds)+1:
		// A mark printed mid-line (output without its last newline) is
		// still found: the split does not need it at a line start.
		n := len(outs) - 1
		if n < 0 {
			n = 0
		}
		return outs, fmt.Errorf("the shell stopped at line %d (%v), after %d of %d commands:\n%s", cmds[min(n, len(cmds)-1)].line, err, n, len(cmds), out)
	case strings.TrimSpace(outs[len(cmds)]) != "":
		return outs, fmt.Errorf("printed after the last command: %q", outs[len(cmds)])
	}
	return outs[:len(cmds)], nil
}

// elisionRe is a line the page writes instead of lines it leaves out: `…`,
// or `… (NOTE)`, alone on its line (indented or not).
var elisionRe = regexp.MustCompile(`^ *…( \(.*\))?$`)

// matchOutput reports whether got is what the page says, want: line by
// line after maskRuns, an elision line of want matching one or more lines.
func matchOutput(want, got string) bool {
	w := strings.Split(strings.TrimSuffix(maskRuns(want), "\n"), "\n")
	g := strings.Split(strings.TrimSuffix(maskRuns(got), "\n"), "\n")
	if want == "" || got == "" {
		return want == got
	}
	memo := map[[2]int]bool{}
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(w) {
			return j == len(g)
		}
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		ok := false
		if elisionRe.MatchString(w[i]) {
			for k := j + 1; k <= len(g) && !ok; k++ {
				ok = match(i+1, k)
			}
		} else {
			ok = j < len(g) && w[i] == g[j] && match(i+1, j+1)
		}
		memo[key] = ok
		return ok
	}
	return match(0, 0)
}

// TestDocTranscriptParts: a transcript splits into commands (heredoc lines
// included) and outputs; the comparison masks only versions and durations,
// an elision line stands for one or more lines and nothing else does; the
// script keeps the exit status for `echo $?`, the working directory across
// commands, and reports a shell that stopped early.
func TestDocTranscriptParts(t *testing.T) {
	blocks, err := parseFences("text\n\n  ```console run\n  $ echo a\n  a\n  $ cat <<'EOF'\n  > x\n  >\n  > EOF\n  x\n\n  $ true\n  ```\n")
	if err != nil || len(blocks) != 1 {
		t.Fatal(err, blocks)
	}
	cmds, err := parseTranscript(blocks[0])
	want := []command{
		{cmd: "echo a", want: "a\n", line: 4, block: 3},
		{cmd: "cat <<'EOF'\nx\n\nEOF", want: "x\n\n", line: 6, block: 3},
		{cmd: "true", line: 12, block: 3},
	}
	if err != nil || fmt.Sprint(cmds) != fmt.Sprint(want) {
		t.Fatalf("parseTranscript: %q, %v\nwant %q", cmds, err, want)
	}
	var s strings.Builder
	for _, c := range cmds {
		s.WriteString(c.String())
	}
	if s.String() != blocks[0].text {
		t.Errorf("commands written back: %q, the block was %q", s.String(), blocks[0].text)
	}
	if _, err := parseTranscript(fence{info: transcriptInfo, text: "output first\n$ echo\n", line: 1}); err == nil {
		t.Error("parseTranscript accepted output before the first command")
	}

	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a\nb\n", "a\nb\n", true},
		{"a\nb\n", "a\nc\n", false},
		{"a\nb\n", "a\nb\nc\n", false},
		{"", "a\n", false},
		{"a\n", "", false},
		{"-- ok (1.2ms)\n20261130042119_x.sql\n", "-- ok (17µs)\n20261207031500_x.sql\n", true},
		{"25 rows\n", "26 rows\n", false},
		{"head\n  … (25 rows, shortened here)\ntail\n", "head\nr1\nr2\nr3\ntail\n", true},
		{"head\n…\n", "head\nr1\nr2\n", true},
		{"head\n…\ntail\n", "head\ntail\n", false},        // one or more lines
		{"head\n…\ntail\n", "head\nr1\ntail\nx\n", false}, // not after the last line
		{"a … b\n", "a x b\n", false},                     // only a whole line elides
		{"… rows\n", "r1\n", false},                       // only `…` or `… (NOTE)`
	} {
		if got := matchOutput(c.want, c.got); got != c.ok {
			t.Errorf("matchOutput(%q, %q) = %v", c.want, c.got, got)
		}
	}

	dir := t.TempDir()
	outs, err := runTranscript(dir, os.Environ(), []command{
		{cmd: "mkdir d && cd d"}, {cmd: "(exit 3)"}, {cmd: "echo $?"}, {cmd: "echo $?"},
		{cmd: "pwd | sed 's|.*/||'"}, {cmd: "printf 'no newline'"}, {cmd: "echo err >&2"},
		{cmd: "cat <<'EOF'\n$ x\nEOF"},
	})
	if err != nil || strings.Join(outs, "|") != "||3\n|0\n|d\n|no newline\n|err\n|$ x\n" {
		t.Errorf("runTranscript: %q, %v", outs, err)
	}
	if _, err := runTranscript(dir, os.Environ(), []command{{cmd: "exit 1", line: 7}, {cmd: "true", line: 8}}); err == nil || !strings.Contains(err.Error(), "stopped at line 7") {
		t.Errorf("runTranscript of a shell that exits: %v", err)
	}
}
