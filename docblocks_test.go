package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocCommandBlocks: every shell block of README.md and docs/*.md is run
// by a test or says, on its first line, why it is not. A block is accounted
// for when it is
//
//   - a ```sh tutorial block of docs/tutorial.md (TestTutorial runs it and
//     checks its output);
//   - a ```sh NAME block of docs/getting-started.md that .ci/template-swap
//     runs (`run NAME`; make test-template, a CI job);
//   - a block whose first line is `# not run here: REASON`. A test or
//     testscript the reason names (TestX, testdata/….txtar) must exist, so a
//     reason cannot point at coverage that is gone.
//
// A synopsis (`structmigrate [--flags] COMMAND`) is not a command: it is a
// ```text block, which this test does not read.
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
	shells := map[string]bool{"sh": true, "bash": true, "shell": true, "console": true, "zsh": true}
	seen := 0
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
			lang, name, _ := strings.Cut(b.info, " ")
			if !shells[lang] {
				continue
			}
			seen++
			first, _, _ := strings.Cut(b.text, "\n")
			switch {
			case page == "docs/tutorial.md" && b.info == "sh tutorial":
			case page == "docs/getting-started.md" && lang == "sh" && name != "" &&
				regexp.MustCompile(`(?m)^run `+regexp.QuoteMeta(name)+`$`).Match(swap):
			case strings.HasPrefix(first, "# not run here: "):
				reason := strings.TrimPrefix(first, "# not run here: ")
				if len(reason) < 10 {
					t.Errorf("%s:%d: the reason is too short to say why: %q", page, b.line, first)
				}
				for _, fn := range regexp.MustCompile(`\bTest[A-Z]\w*`).FindAllString(reason, -1) {
					if !tests[fn] {
						t.Errorf("%s:%d: the reason names %s, which is not a test of this repository", page, b.line, fn)
					}
				}
				for _, f := range regexp.MustCompile(`testdata/\S+\.txtar`).FindAllString(reason, -1) {
					if _, err := os.Stat(f); err != nil {
						t.Errorf("%s:%d: the reason names %s: %v", page, b.line, f, err)
					}
				}
			default:
				t.Errorf("%s:%d: a ```%s block no test runs: make it a block a test runs "+
					"(docs/tutorial.md's ```sh tutorial) or start it with `# not run here: REASON`", page, b.line, b.info)
			}
		}
	}
	if seen < 15 {
		t.Fatalf("found only %d shell blocks: is the scan broken?", seen)
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
