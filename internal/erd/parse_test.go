package erd

import (
	"bytes"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
)

// corpus is every diagram the parser tests check: the fixtures, 200
// random schemas with odd names and 100 random diff pictures, from a
// fixed seed so a failure repeats.
func corpus(t *testing.T, format string) []string {
	var out []string
	add := func(s *schema.Schema, o Options) {
		d, err := Render(s, format, o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	add(inspect(t, shop...), Options{})
	add(inspect(t), Options{})
	r := rand.New(rand.NewSource(15))
	var prev *schema.Schema
	for i := 0; i < 200; i++ {
		s := randomSchema(t, r, 1+r.Intn(5))
		add(s, Options{})
		if prev != nil && i%2 == 0 {
			add(s, Options{Before: prev})
		}
		prev = s
	}
	return out
}

// TestMermaidParser runs Mermaid's own parsers (npm mermaid 11 and 10,
// under jsdom) over the corpus in one node process. make
// test-mermaid installs it and sets STRUCTMIGRATE_TEST_MERMAID to its
// directory.
func TestMermaidParser(t *testing.T) {
	dir := os.Getenv("STRUCTMIGRATE_TEST_MERMAID")
	if dir == "" {
		t.Skip("needs node and npm's mermaid: run make test-mermaid")
	}
	script, err := os.ReadFile(filepath.Join("testdata", "mermaid", "parse.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	// In the install directory, so node finds its node_modules.
	if err := os.WriteFile(filepath.Join(dir, "parse.mjs"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	diagrams := append(corpus(t, Mermaid), docDiagrams(t)...)
	// The control: a column named pk, which the lexer reads as a key.
	// Were it accepted, the parser would be checking nothing.
	diagrams = append(diagrams, "erDiagram\n    a {\n        text pk\n    }\n")
	cmd := exec.Command("node", filepath.Join(dir, "parse.mjs"))
	cmd.Stdin = strings.NewReader(strings.Join(diagrams, "\n%%%%\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(diagrams) {
		t.Fatalf("node reported %d diagrams, want %d: %s\n%s", len(lines), len(diagrams), stderr.String(), out)
	}
	for i, l := range lines {
		n, verdict, _ := strings.Cut(l, " ")
		if n != strconv.Itoa(i) {
			t.Fatalf("line %d of node's report: %q", i, l)
		}
		control := i == len(diagrams)-1
		switch {
		case control && verdict == "ok":
			t.Errorf("the parser accepted the control diagram:\n%s", diagrams[i])
		case !control && verdict != "ok":
			t.Errorf("diagram %d does not parse: %s\n%s", i, verdict, diagrams[i])
		}
	}
}

// TestDot checks the dot output: with Graphviz installed, by dot itself;
// without it, structurally (every edge joins declared nodes, every quoted
// string ends where it should, braces of each record balance).
func TestDot(t *testing.T) {
	diagrams := corpus(t, Dot)
	if path, err := exec.LookPath("dot"); err == nil {
		// dot reads many graphs from one input: one process for all, and
		// one per diagram only to name a failing one.
		all := exec.Command(path, "-Tsvg")
		all.Stdin = strings.NewReader(strings.Join(diagrams, ""))
		var stderr bytes.Buffer
		all.Stdout, all.Stderr = io.Discard, &stderr
		if err := all.Run(); err == nil && stderr.Len() == 0 {
			return
		}
		for i, d := range diagrams {
			cmd := exec.Command(path, "-Tsvg", "-o", os.DevNull)
			cmd.Stdin = strings.NewReader(d)
			if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("dot rejects diagram %d (%v): %s\n%s", i, err, out, d)
			}
		}
		return
	}
	node := regexp.MustCompile(`^    (t\d+) \[label="((?:[^"\\]|\\.)*)"(, [a-z]+="[^"]*")*\];$`)
	edge := regexp.MustCompile(`^    (t\d+)(:c\d+)? -> (t\d+)(:c\d+)? \[label="((?:[^"\\]|\\.)*)", arrowhead=[a-z]+(, [a-z]+="[^"]*")*\];$`)
	for i, d := range diagrams {
		lines := strings.Split(strings.TrimSuffix(d, "}\n"), "\n")
		declared := map[string]bool{}
		for _, l := range lines[4:] {
			if l == "" {
				continue
			}
			if m := node.FindStringSubmatch(l); m != nil {
				declared[m[1]] = true
				if depth := recordDepth(m[2]); depth != 0 {
					t.Errorf("diagram %d: unbalanced record %q", i, l)
				}
				continue
			}
			m := edge.FindStringSubmatch(l)
			if m == nil || !declared[m[1]] || !declared[m[3]] {
				t.Errorf("diagram %d: bad line %q\n%s", i, l, d)
			}
		}
	}
}

// recordDepth is the brace depth at the end of a record label, skipping
// backslash escapes; an unescaped '"' inside counts as broken.
func recordDepth(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return -100
		case '{':
			depth++
		case '}':
			depth--
		}
	}
	return depth
}

// docDiagrams are the ```mermaid blocks of README.md and docs/*.md (the
// ER diagram of docs/schema.md, the architecture flowchart): what GitHub
// renders must parse too.
func docDiagrams(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, page := range append(pages, filepath.Join("..", "..", "README.md")) {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		var block []string
		in := false
		for _, line := range strings.Split(string(b), "\n") {
			switch {
			case !in && strings.TrimSpace(line) == "```mermaid":
				in, block = true, nil
			case in && strings.TrimSpace(line) == "```":
				in = false
				out = append(out, strings.Join(block, "\n")+"\n")
			case in:
				block = append(block, line)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no ```mermaid block in README.md or docs/*.md")
	}
	return out
}
