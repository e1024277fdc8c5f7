package evolve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Sequence is the sequence a seed makes: steps edits after the two
// initial tables. The seed alone reproduces it.
func Sequence(seed uint64, steps int) SeqSpec {
	return SeqSpec{Name: fmt.Sprintf("s%x", seed), Seed: seed, Edits: NewGenerator(seed).Sequence(steps)}
}

// Sequences makes n sequences from a batch seed.
func Sequences(seed uint64, n, steps int) []SeqSpec {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]SeqSpec, n)
	for i := range out {
		out[i] = Sequence(r.Uint64()>>16, steps) // short seeds print well
	}
	return out
}

// ModuleRoot finds the directory of go.mod from dir upwards.
func ModuleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}

// Program is a built batch.
type Program struct {
	Bin   string
	Specs []SeqSpec
}

// Build generates the batch's Go package under internal/evolve/_gen (the
// underscore keeps it out of ./...; .gitignore keeps it out of git) and
// builds it into binDir. Internal packages can only be imported from inside
// the module, hence the directory.
func Build(root, binDir string, specs []SeqSpec, opts Options) (*Program, error) {
	src, err := Source(specs, opts)
	if err != nil {
		return nil, fmt.Errorf("evolve: generate: %w", err)
	}
	gen := filepath.Join(root, "internal", "evolve", "_gen")
	if err := os.MkdirAll(gen, 0o755); err != nil {
		return nil, err
	}
	pkg, err := os.MkdirTemp(gen, "batch")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(pkg)
	if err := os.WriteFile(filepath.Join(pkg, "main.go"), src, 0o644); err != nil {
		return nil, err
	}
	bin := filepath.Join(binDir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, "./"+filepath.ToSlash(must(filepath.Rel(root, pkg))))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("evolve: go build: %v\n%s", err, out)
	}
	return &Program{Bin: bin, Specs: specs}, nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Run runs the program's sequences (or only one) in work, in parallel
// processes, each with its own TMPDIR (see RunBatch); the results come back
// in the order of the specs.
func (p *Program) Run(work string, parallel int, only string, shrinkRows bool) ([]*Result, error) {
	parallel = max(1, min(parallel, len(p.Specs)))
	if only != "" {
		parallel = 1
	}
	type proc struct {
		cmd    *exec.Cmd
		out    string
		stderr bytes.Buffer
	}
	procs := make([]*proc, parallel)
	for i := range procs {
		tmp := filepath.Join(work, fmt.Sprintf("tmp%d", i))
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return nil, err
		}
		pr := &proc{out: filepath.Join(work, fmt.Sprintf("results%d.json", i))}
		args := []string{"-work", work, "-out", pr.out, "-shard", fmt.Sprint(i), "-shards", fmt.Sprint(parallel)}
		if only != "" {
			args = append(args, "-only", only)
		}
		if shrinkRows {
			args = append(args, "-shrink-rows")
		}
		pr.cmd = exec.Command(p.Bin, args...)
		pr.cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		pr.cmd.Stderr = &pr.stderr
		if err := pr.cmd.Start(); err != nil {
			return nil, err
		}
		procs[i] = pr
	}
	var errs []error
	shards := make([][]*Result, parallel)
	for i, pr := range procs {
		if err := pr.cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("evolve: %s: %v\n%s", p.Bin, err, pr.stderr.Bytes()))
			continue
		}
		js, err := os.ReadFile(pr.out)
		if err == nil {
			err = json.Unmarshal(js, &shards[i])
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if only != "" {
		return shards[0], nil
	}
	results := make([]*Result, len(p.Specs))
	for i := range results {
		sh := shards[i%parallel]
		if len(sh) == 0 {
			return nil, fmt.Errorf("evolve: shard %d returned too few results", i%parallel)
		}
		results[i], shards[i%parallel] = sh[0], sh[1:]
	}
	return results, nil
}

// Shrink reduces a failing sequence: first its edits (one build per round:
// every candidate without one edit, truncated after the failing step), then
// its rows (in-process). It returns the smallest spec and result that still
// fail with the same class at an edit of the same kind.
func Shrink(root, binDir, work string, spec SeqSpec, failed *Result, f *Failure, opts Options, logf func(string, ...any)) (SeqSpec, *Result, error) {
	same := func(r *Result) bool { return r != nil && r.Find(f.Class) != nil }
	spec.Edits = spec.Edits[:f.Step+1]
	spec.Inserts = nil
	best := failed
	for round := 0; ; round++ {
		var cands []SeqSpec
		for i := range len(spec.Edits) - 1 {
			c := spec
			c.Name = fmt.Sprintf("%s_r%dx%d", spec.Name, round, i)
			c.Edits = append(append([]Edit{}, spec.Edits[:i]...), spec.Edits[i+1:]...)
			cands = append(cands, c)
		}
		if len(cands) == 0 {
			break
		}
		p, err := Build(root, binDir, cands, opts)
		if err != nil {
			return spec, best, err
		}
		rs, err := p.Run(filepath.Join(work, fmt.Sprintf("round%d", round)), 2, "", false)
		os.Remove(p.Bin)
		if err != nil {
			return spec, best, err
		}
		found := false
		for i, r := range rs {
			if same(r) {
				c := cands[i]
				c.Edits = c.Edits[:r.Find(f.Class).Step+1]
				spec, best, found = c, r, true
				logf("shrink: %d edits still fail (%s)", len(spec.Edits), f.Class)
				break
			}
		}
		if !found {
			break
		}
	}
	// Rows: one more build holding the final spec alone.
	final := spec
	final.Name = spec.Name + "_min"
	p, err := Build(root, binDir, []SeqSpec{final}, opts)
	if err != nil {
		return spec, best, err
	}
	defer os.Remove(p.Bin)
	rs, err := p.Run(filepath.Join(work, "rows"), 1, "", true)
	if err != nil {
		return spec, best, err
	}
	if same(rs[0]) {
		final.Inserts = rs[0].Inserts
		return final, rs[0], nil
	}
	logf("shrink: the minimal sequence did not fail again (%v); keeping the unshrunk rows", rs[0].Failures)
	return spec, best, nil
}

// Summary counts what a set of results ran and found.
type Summary struct {
	Sequences int
	Steps     int
	Kinds     map[string]int // edit kind → steps run
	Outcomes  map[string]int
	Failures  map[string][]*Failure // class → failures
	Ended     map[string]int        // why sequences stopped early without a failure
	Notes     map[string]int
}

// Summarize adds results up.
func Summarize(results []*Result) Summary {
	s := Summary{Kinds: KindCounts(results), Outcomes: map[string]int{}, Failures: map[string][]*Failure{}, Ended: map[string]int{}, Notes: map[string]int{}}
	for _, r := range results {
		s.Sequences++
		s.Steps += r.Steps
		for k, n := range r.Outcomes {
			s.Outcomes[k] += n
		}
		seen := map[string]bool{}
		for _, f := range r.Failures {
			if !seen[f.Class] { // once per sequence
				seen[f.Class] = true
				s.Failures[f.Class] = append(s.Failures[f.Class], f)
			}
		}
		if r.Ended != "" {
			s.Ended[normalize(r.Ended)]++
		}
		for _, n := range r.Notes {
			s.Notes[normalize(n)]++
		}
	}
	return s
}

// String prints the summary.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d sequences, %d steps, %d failures in %d classes, %d sequences ended early by a failing apply (not an invariant)\n",
		s.Sequences, s.Steps, s.failures(), len(s.Failures), len(s.Ended))
	fmt.Fprintf(&b, "outcomes: %s\n", s.outcomeTotals())
	for class, fs := range s.Failures {
		fmt.Fprintf(&b, "  FAIL %s (%d): seed %d step %d (%s %s): %s\n", class, len(fs), fs[0].Seed, fs[0].Step, fs[0].Edit.Kind, fs[0].Phase, trunc(fs[0].Detail, 400))
	}
	return b.String()
}

// Details prints the outcomes, the early ends and the notes.
func (s Summary) Details() string {
	var b strings.Builder
	for _, m := range []struct {
		title string
		m     map[string]int
	}{{"outcome", s.Outcomes}, {"ended", s.Ended}, {"note", s.Notes}} {
		keys := make([]string, 0, len(m.m))
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s %5d  %s\n", m.title, m.m[k], k)
		}
	}
	return b.String()
}

// outcomeTotals adds the outcomes up over edit kinds and messages: how
// often apply went through, was refused then forced, was fixed, and how
// often rollback and the second apply were refused.
func (s Summary) outcomeTotals() string {
	t := map[string]int{}
	for k, n := range s.Outcomes {
		head, tail, _ := strings.Cut(k, "/")
		switch {
		case kindIndex(head) >= 0 && tail != "run":
			t[tail] += n
		case head == "rollback_refused" || head == "reapply_refused" || head == "failed":
			t[head] += n
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, t[k])
	}
	return strings.Join(parts, ", ")
}

func (s Summary) failures() int {
	n := 0
	for _, fs := range s.Failures {
		n += len(fs)
	}
	return n
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
