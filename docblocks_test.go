package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocCommandBlocks: every command example of README.md and docs/*.md is
// run by a test or says, on its first line, why it is not. An example is a
// shell block (```sh, bash, shell, console, zsh) or any block, ```text or
// none included, with a line starting with `$ ` (a transcript: a command,
// then its output), indented inside a list item or not. It is accounted for
// when it is
//
//   - a ```sh tutorial block of docs/tutorial.md (TestTutorial runs it and
//     checks its output);
//   - a ```console run transcript (TestDocTranscripts runs it and checks its
//     output);
//   - a ```sh NAME block of docs/getting-started.md that .ci/template-swap
//     runs (`run NAME`; make test-template, a CI job);
//   - a block whose first line is `# not run here: REASON`. A test or
//     testscript the reason names (TestX, testdata/….txtar) must exist, so a
//     reason cannot point at coverage that is gone.
//
// A synopsis (`structmigrate [--flags] COMMAND`) is not a command: it is a
// ```text block without `$ `, which this test does not read.
func TestDocCommandBlocks(t *testing.T) {
	pages, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append([]string{"README.md"}, pages...)
	swap, err := os.ReadFile(".ci/template-swap")
	if err != nil {
		t.Fatal(err)
	}
	tests := testFuncs(t)
	shells, transcripts := 0, 0
	for _, page := range pages {
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseFences(string(src))
		if err != nil {
			t.Errorf("%s: %v", page, err)
			continue
		}
		for _, b := range blocks {
			kind, problems := checkCommandBlock(page, b, tests, swap)
			switch kind {
			case shellBlock:
				shells++
			case transcriptBlock:
				transcripts++
			}
			for _, p := range problems {
				t.Error(p)
			}
		}
	}
	if shells < 15 || transcripts < 20 {
		t.Fatalf("found only %d shell blocks and %d transcripts: is the scan broken?", shells, transcripts)
	}
}

// The kinds of block checkCommandBlock tells apart.
const (
	notCommands     = iota
	shellBlock      // ```sh and the like, without `$ ` lines
	transcriptBlock // a block with a `$ ` line, whatever its info string
)

var shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true, "console": true, "zsh": true}

// checkCommandBlock returns what b is and, when it holds commands no test
// runs without a reason beside them, what is wrong (as page:line: …).
func checkCommandBlock(page string, b fence, tests map[string]bool, swap []byte) (kind int, problems []string) {
	lang, name, _ := strings.Cut(b.info, " ")
	switch {
	case regexp.MustCompile(`(?m)^\$ `).MatchString(b.text):
		kind = transcriptBlock
	case shellLangs[lang]:
		kind = shellBlock
	default:
		return notCommands, nil
	}
	first, _, _ := strings.Cut(b.text, "\n")
	switch {
	case page == "docs/tutorial.md" && b.info == "sh tutorial":
	case b.info == transcriptInfo:
	case page == "docs/getting-started.md" && lang == "sh" && name != "" &&
		regexp.MustCompile(`(?m)^run `+regexp.QuoteMeta(name)+`$`).Match(swap):
	case strings.HasPrefix(first, "# not run here: "):
		reason := strings.TrimPrefix(first, "# not run here: ")
		if len(reason) < 10 {
			problems = append(problems, fmt.Sprintf("%s:%d: the reason is too short to say why: %q", page, b.line, first))
		}
		for _, fn := range regexp.MustCompile(`\bTest[A-Z]\w*`).FindAllString(reason, -1) {
			if !tests[fn] {
				problems = append(problems, fmt.Sprintf("%s:%d: the reason names %s, which is not a test of this repository", page, b.line, fn))
			}
		}
		for _, f := range regexp.MustCompile(`testdata/\S+\.txtar`).FindAllString(reason, -1) {
			if _, err := os.Stat(f); err != nil {
				problems = append(problems, fmt.Sprintf("%s:%d: the reason names %s: %v", page, b.line, f, err))
			}
		}
	default:
		problems = append(problems, fmt.Sprintf("%s:%d: a ```%s block with commands no test runs: make it a block a test runs "+
			"(```%s, or docs/tutorial.md's ```sh tutorial) or start it with `# not run here: REASON`", page, b.line, b.info, transcriptInfo))
	}
	return kind, problems
}

// TestDocCommandBlocksParts: a transcript in a ```text block or in none,
// indented or not, is flagged like a shell block; a reason must name tests
// and testscripts that exist; ```console run blocks and prose are not
// flagged.
func TestDocCommandBlocksParts(t *testing.T) {
	tests := map[string]bool{"TestDeploy": true}
	for _, c := range []struct {
		page, want string // want: "" accepted, else a part of the problem
	}{
		{"```text\n$ structmigrate status\nMigration Status: OK\n```\n", "docs/x.md:1: a ```text block with commands no test runs"},
		{"1. step:\n\n   ```text\n   Error: x\n   $ echo $?\n   1\n   ```\n", "docs/x.md:3: a ```text block"},
		{"```\n$ ls\n```\n", "docs/x.md:1: a ``` block"},
		{"```sh\nstructmigrate apply\n```\n", "docs/x.md:1: a ```sh block"},
		{"```text\n# not run here: needs Docker\n$ docker ps\n```\n", ""},
		{"```text\n# not run here: short\n$ docker ps\n```\n", "the reason is too short"},
		{"```text\n# not run here: TestGone covers it\n$ structmigrate apply\n```\n", "names TestGone, which is not a test"},
		{"```text\n# not run here: testdata/script/gone.txtar covers it\n$ structmigrate apply\n```\n", "names testdata/script/gone.txtar"},
		{"```text\n# not run here: TestDeploy runs its entrypoint\n$ docker run x\n```\n", ""},
		{"  ```console run\n  $ structmigrate status\n  ```\n", ""},
		{"```text\nstructmigrate [--db FILE] status\n  costs $ 5\n```\n", ""},
	} {
		blocks, err := parseFences(c.page)
		if err != nil || len(blocks) != 1 {
			t.Fatalf("%q: %v, %d blocks", c.page, err, len(blocks))
		}
		_, problems := checkCommandBlock("docs/x.md", blocks[0], tests, nil)
		got := strings.Join(problems, "\n")
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%q: problems %q, want %q", c.page, got, c.want)
		}
	}
}

// testFuncs returns the names of the Test functions of the repository's
// _test.go files.
func testFuncs(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	re := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || strings.HasPrefix(d.Name(), "_")) {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			names[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}
