package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTutorial runs docs/tutorial.md as written, in a copy of the repository
// committed as branch main (the "fresh clone"):
//
//   - a ```go file=PATH block replaces PATH with the block's text;
//   - a ```sh tutorial block runs with bash (set -e -o pipefail), its stdout
//     and stderr together, and must exit 0; the ```output block right after
//     it is what it printed.
//
// The comparison masks, on both sides, what changes from run to run:
// 14-digit numbers, the migration versions (UTC timestamps), become <VERSION>,
// the UTC times in restore points' names (20261207T031200Z) <TIME>, and Go
// durations ("ok (604µs)", "-- 16.14ms") become <DURATION>. Everything else
// must match exactly, so the test fails when the binary's output changes.
// STRUCTMIGRATE_UPDATE_TUTORIAL=1 rewrites the page's output blocks with what
// the blocks printed (review the diff before committing it).
func TestTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the tutorial in a copy of the repository")
	}
	skipWithoutSample(t)
	for _, tool := range []string{"bash", "git", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	const page = "docs/tutorial.md"
	src, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := parseFences(string(src))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	steps, err := tutorialSteps(blocks)
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	if len(steps) < 10 {
		t.Fatalf("%s: %d steps, the page lost its blocks?", page, len(steps))
	}

	repo := copyRepo(t)
	env := append(tutorialEnv(), "TMPDIR="+t.TempDir())
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = repo, env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "clone")

	update := os.Getenv("STRUCTMIGRATE_UPDATE_TUTORIAL") == "1"
	outputs := map[int]string{}
	for _, s := range steps {
		if s.file != "" {
			path := filepath.Join(repo, filepath.FromSlash(s.file))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(s.code.text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", s.code.text)
		cmd.Dir, cmd.Env = repo, env
		start := time.Now()
		out, err := cmd.CombinedOutput()
		t.Logf("%s:%d: %v", page, s.code.line, time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("%s:%d: %v\n%s\n-- printed:\n%s", page, s.code.line, err, s.code.text, out)
		}
		got := string(out)
		if got != "" && !strings.HasSuffix(got, "\n") {
			got += "\n" // the page's block ends its last line
		}
		if update {
			outputs[s.output.line] = got
			continue
		}
		if maskRuns(got) != maskRuns(s.output.text) {
			t.Errorf("%s:%d: the output of\n%s\ndiffers from the page's (line %d); masked, the page says:\n%s\n-- and the block printed:\n%s",
				page, s.code.line, s.code.text, s.output.line, maskRuns(s.output.text), maskRuns(got))
		}
	}
	if update {
		if err := os.WriteFile(page, []byte(replaceOutputs(string(src), outputs)), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the output blocks of %s", page)
	}
}

// skipWithoutSample skips a test of the docs' examples where the sample
// Player model and its migrations were replaced: the pages show the sample's
// output, and a team that replaced it (docs/getting-started.md, make
// test-template) has other models and history, about which they have
// nothing to say.
func skipWithoutSample(t *testing.T) {
	t.Helper()
	if !hasSample() {
		t.Skip("the sample Player model and its migrations were replaced")
	}
}

// hasSample reports whether the sample Player model and its migrations are
// in the repository (docs/getting-started.md replaces them).
func hasSample() bool {
	sample, _ := filepath.Glob("migrations/*_create_players.sql")
	_, err := os.Stat("schema/player.go")
	return err == nil && len(sample) > 0
}

// tutorialEnv is the environment of the blocks: the test's, without
// STORAGE_PATH (the page relies on the default database), with a git
// identity for its commits, and -trimpath for go: the copy's packages then
// build as the same cache entries from any directory, so a second run links
// from the build cache instead of compiling the module again (the output is
// the same either way).
func tutorialEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STORAGE_PATH=") && !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "GOFLAGS=") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_AUTHOR_NAME=Tutorial", "GIT_AUTHOR_EMAIL=tutorial@example.com",
		"GIT_COMMITTER_NAME=Tutorial", "GIT_COMMITTER_EMAIL=tutorial@example.com",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -trimpath"))
}

var (
	digitsRe   = regexp.MustCompile(`\d+`)
	durationRe = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|ms|s)\b`)
	timeRe     = regexp.MustCompile(`\b\d{8}T\d{6}Z\b|\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\b`)
)

// maskRuns replaces what differs between two runs of the same block.
func maskRuns(s string) string {
	s = timeRe.ReplaceAllString(s, "<TIME>")
	s = digitsRe.ReplaceAllStringFunc(s, func(d string) string {
		if len(d) == 14 {
			return "<VERSION>"
		}
		return d
	})
	return durationRe.ReplaceAllString(s, "<DURATION>")
}

// fence is one fenced block of a Markdown page.
type fence struct {
	info string // what follows the opening ```
	text string // the lines between the fences, each ending in \n, less the fence's indentation
	line int    // the opening fence's line, from 1
	// indent: the spaces before the opening fence (a block inside a list
	// item); CommonMark removes as many from each content line.
	indent int
	// adjacent: only blank lines separate it from the previous block.
	adjacent bool
}

// fenceRe is an opening ``` fence, indented by spaces or not, whose info
// string holds no backtick (CommonMark: a line like "```` ```sh ```` …" is
// inline code, not a fence).
var fenceRe = regexp.MustCompile("^( *)```([^`]*)$")

// parseFences returns the page's ``` fenced blocks, those indented inside
// list items too. A block ends at the next line that is only ``` (indented
// or not); its content lines lose up to the opening fence's indentation.
func parseFences(page string) ([]fence, error) {
	var blocks []fence
	lines := strings.SplitAfter(page, "\n")
	adjacent := false
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\n")
		m := fenceRe.FindStringSubmatch(l)
		if m == nil {
			if strings.TrimSpace(l) != "" {
				adjacent = false
			}
			continue
		}
		f := fence{info: strings.TrimSpace(m[2]), line: i + 1, indent: len(m[1]), adjacent: adjacent}
		var b strings.Builder
		closed := false
		for i++; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "```" {
				closed = true
				break
			}
			b.WriteString(dedent(lines[i], f.indent))
		}
		if !closed {
			return nil, fmt.Errorf("line %d: unclosed ``` block", f.line)
		}
		f.text = b.String()
		blocks = append(blocks, f)
		adjacent = true
	}
	return blocks, nil
}

// dedent removes up to n leading spaces of line.
func dedent(line string, n int) string {
	i := 0
	for i < n && i < len(line) && line[i] == ' ' {
		i++
	}
	return line[i:]
}

// step is a file the tutorial writes or a command block and its output.
type step struct {
	file         string
	code, output fence
}

var fileInfoRe = regexp.MustCompile(`^go file=(\S+)$`)

// tutorialSteps pairs each ```sh tutorial block with the ```output block
// right after it and keeps the ```go file=PATH blocks in page order.
func tutorialSteps(blocks []fence) ([]step, error) {
	var steps []step
	for i := 0; i < len(blocks); i++ {
		b := blocks[i]
		if m := fileInfoRe.FindStringSubmatch(b.info); m != nil {
			steps = append(steps, step{file: m[1], code: b})
			continue
		}
		if b.info != "sh tutorial" {
			if b.info == "output" {
				return nil, fmt.Errorf("line %d: an ```output block not after a ```sh tutorial block", b.line)
			}
			continue
		}
		if i+1 == len(blocks) || blocks[i+1].info != "output" || !blocks[i+1].adjacent {
			return nil, fmt.Errorf("line %d: a ```sh tutorial block without an ```output block right after it", b.line)
		}
		steps = append(steps, step{code: b, output: blocks[i+1]})
		i++
	}
	return steps, nil
}

// replaceOutputs returns the page with the text of each block whose
// opening fence is on a line of outputs replaced, indented as that fence.
func replaceOutputs(page string, outputs map[int]string) string {
	lines := strings.SplitAfter(page, "\n")
	var b strings.Builder
	for i := 0; i < len(lines); i++ {
		b.WriteString(lines[i])
		if text, ok := outputs[i+1]; ok {
			indent := strings.Repeat(" ", len(lines[i])-len(strings.TrimLeft(lines[i], " ")))
			for _, l := range strings.SplitAfter(text, "\n") {
				if strings.TrimSpace(l) != "" {
					b.WriteString(indent)
				}
				b.WriteString(l)
			}
			for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "```" {
				i++
			}
		}
	}
	return b.String()
}

// TestTutorialParts: the masking hides only versions, restore points'
// times and durations (a
// changed count or name still fails TestTutorial), and a command block
// without its output block is refused rather than skipped.
func TestTutorialParts(t *testing.T) {
	for in, want := range map[string]string{
		"  -- migrating version 20261207020733 (20261207020733_add_nickname.sql)":                                                    "  -- migrating version <VERSION> (<VERSION>_add_nickname.sql)",
		"       ok (18µs)\n  -- ok (17.863ms)\n  -- 1m2.5s\n  -- 3s":                                                                 "       ok (<DURATION>)\n  -- ok (<DURATION>)\n  -- <DURATION>\n  -- <DURATION>",
		"  -- 5 migrations\n  -- 14 sql statements, 25 non-NULL values (e.g. id=1)":                                                  "  -- 5 migrations\n  -- 14 sql statements, 25 non-NULL values (e.g. id=1)",
		"version 2026120702073 or 202612070207330":                                                                                   "version 2026120702073 or 202612070207330",
		"Restore point: app.db.restore-points/app.db.20261207T031200Z.20261207020733.restore (version 20261207020733, 24.0 KB, 3ms)": "Restore point: app.db.restore-points/app.db.<TIME>.<VERSION>.restore (version <VERSION>, 24.0 KB, <DURATION>)",
		"taken 20261207T0312Z or 2026-12-07 03:12":                                                                                   "taken 20261207T0312Z or 2026-12-07 03:12",
		"  app.db.20261207T034154Z.20260101000002.restore   20260101000002   2026-12-07 03:41:54   32.0 KB":                          "  app.db.<TIME>.<VERSION>.restore   <VERSION>   <TIME>   32.0 KB",
	} {
		if got := maskRuns(in); got != want {
			t.Errorf("maskRuns(%q) = %q, want %q", in, got, want)
		}
	}

	page := "text\n\n```sh tutorial\necho a\n```\n\n```output\na\n```\n\n```go file=x/y.go\npackage y\n```\n" +
		"Inline ```` ```sh tutorial ```` is no fence.\n"
	blocks, err := parseFences(page)
	if err != nil {
		t.Fatal(err)
	}
	steps, err := tutorialSteps(blocks)
	if err != nil || len(steps) != 2 || steps[0].code.text != "echo a\n" || steps[0].output.text != "a\n" || steps[1].file != "x/y.go" {
		t.Fatalf("steps %+v, %v", steps, err)
	}
	for _, bad := range []string{
		"```sh tutorial\necho a\n```\n",                           // no output block
		"```sh tutorial\necho a\n```\nprose\n```output\na\n```\n", // output not right after
		"```output\na\n```\n",                                     // output of nothing
	} {
		blocks, err := parseFences(bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tutorialSteps(blocks); err == nil {
			t.Errorf("tutorialSteps accepted %q", bad)
		}
	}
	if _, err := parseFences("```sh\nunclosed\n"); err == nil {
		t.Error("parseFences accepted an unclosed block")
	}
	if got := replaceOutputs("```output\nold\nlines\n```\nafter\n", map[int]string{1: "new\n"}); got != "```output\nnew\n```\nafter\n" {
		t.Errorf("replaceOutputs: %q", got)
	}

	// A fence inside a list item: indented, its content lines lose up to
	// the fence's indentation (no more), and it closes at an indented ```.
	list := "- item:\n\n  ```text\n  $ a\n    b\n c\n\n  ```\n\n   ```sh\n   x\n   ```\nprose\n```\ny\n```\n"
	blocks, err = parseFences(list)
	if err != nil {
		t.Fatal(err)
	}
	want := []fence{
		{info: "text", text: "$ a\n  b\nc\n\n", line: 3, indent: 2},
		{info: "sh", text: "x\n", line: 10, indent: 3, adjacent: true},
		{info: "", text: "y\n", line: 14},
	}
	if fmt.Sprint(blocks) != fmt.Sprint(want) {
		t.Errorf("parseFences of indented blocks:\n got %+v\nwant %+v", blocks, want)
	}
	if _, err := parseFences("- item\n\n  ```text\n  unclosed\n"); err == nil {
		t.Error("parseFences accepted an unclosed indented block")
	}
	if got := replaceOutputs(list, map[int]string{3: "new\n\nlines\n"}); got != "- item:\n\n  ```text\n  new\n\n  lines\n  ```\n\n   ```sh\n   x\n   ```\nprose\n```\ny\n```\n" {
		t.Errorf("replaceOutputs of an indented block: %q", got)
	}
}
