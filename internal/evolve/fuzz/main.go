// Command fuzz is the long mode of the evolution test (make fuzz-evolution):
// batches of random edit sequences until the duration is spent, each batch
// generated, built once and run; the first failure of each class is shrunk
// and written as a regression (internal/testmodels/evo_*.go and
// testdata/evolve/*.txtar).
//
//	go run ./internal/evolve/fuzz -duration 10m -seed 42
//	go run ./internal/evolve/fuzz -total 10000 -seed 42      # until 10,000 steps ran
//	go run ./internal/evolve/fuzz -seq 72997993635512 -steps 12   # one sequence again
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/structmigrate/structmigrate/internal/evolve"
)

var (
	verbose bool
	only    string
)

func main() {
	duration := flag.Duration("duration", 5*time.Minute, "keep starting batches until this much time has passed")
	total := flag.Int("total", 0, "keep starting batches until this many steps ran (instead of -duration)")
	seed := flag.Uint64("seed", 0, "batch seed (0: from the clock; printed)")
	seq := flag.Uint64("seq", 0, "run only the sequence of this seed (as printed by a failure)")
	seqs := flag.Int("seqs", 40, "sequences per batch (one build each)")
	steps := flag.Int("steps", 12, "edits per sequence after the two initial tables")
	rows := flag.Int("rows", 5, "rows inserted per table before each step, at most")
	parallel := flag.Int("parallel", 2, "sequences run at once")
	repro := flag.Int("repro", 8, "shrink and write a regression for the first failure of up to this many classes (0: none)")
	report := flag.String("report", "", "append a summary in Markdown to this file")
	flag.StringVar(&only, "class", "", "shrink only the failure classes containing this text")
	flag.BoolVar(&verbose, "v", false, "print every outcome, early end and note")
	flag.Parse()
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano()) % 1_000_000_007
	}
	if err := run(*duration, *total, *seed, *seq, *seqs, *steps, *rows, *parallel, *repro, *report); err != nil {
		fmt.Fprintln(os.Stderr, "fuzz-evolution:", err)
		os.Exit(1)
	}
}

func run(duration time.Duration, total int, seed, seq uint64, seqs, steps, rows, parallel, repro int, report string) error {
	wd, _ := os.Getwd()
	root, err := evolve.ModuleRoot(wd)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "fuzz-evolution")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	opts := evolve.Options{MaxRows: rows}
	start := time.Now()
	var all []*evolve.Result
	var specs []evolve.SeqSpec
	var buildTime, runTime time.Duration
	ran := 0 // steps
	more := func() bool {
		if total > 0 {
			return ran < total
		}
		return time.Since(start) < duration
	}
	for batch := 0; batch == 0 || more(); batch++ {
		batchSpecs := evolve.Sequences(seed+uint64(batch), seqs, steps)
		if seq != 0 {
			batchSpecs = []evolve.SeqSpec{evolve.Sequence(seq, steps)}
		}
		t0 := time.Now()
		p, err := evolve.Build(root, tmp, batchSpecs, opts)
		if err != nil {
			return err
		}
		t1 := time.Now()
		rs, err := p.Run(filepath.Join(tmp, fmt.Sprintf("batch%d", batch)), parallel, "", false)
		os.Remove(p.Bin)
		os.RemoveAll(filepath.Join(tmp, fmt.Sprintf("batch%d", batch)))
		if err != nil {
			return err
		}
		buildTime += t1.Sub(t0)
		runTime += time.Since(t1)
		all, specs = append(all, rs...), append(specs, batchSpecs...)
		s := evolve.Summarize(rs)
		ran += s.Steps
		fmt.Printf("batch %d (seed %d): %d sequences, %d steps (%d in all), %d failing, build %.1fs, run %.1fs\n",
			batch, seed+uint64(batch), s.Sequences, s.Steps, ran, len(failing(rs)), t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
		if seq != 0 {
			break
		}
	}
	sum := evolve.Summarize(all)
	fmt.Printf("\nseed %d: %s", seed, sum)
	fmt.Printf("time: %.0fs (build %.0fs, run %.0fs), %.1f steps/s while running\n", time.Since(start).Seconds(), buildTime.Seconds(), runTime.Seconds(), float64(sum.Steps)/runTime.Seconds())
	fmt.Printf("edit kinds run: %v\n", sum.Kinds)
	if verbose {
		fmt.Print(sum.Details())
	}
	// One regression per class, smallest first.
	var written []string
	classes := make([]string, 0, len(sum.Failures))
	for c := range sum.Failures {
		if strings.Contains(c, only) {
			classes = append(classes, c)
		}
	}
	slices.Sort(classes)
	for _, class := range classes {
		if len(written) >= repro {
			break
		}
		f := sum.Failures[class][0]
		i := slices.IndexFunc(specs, func(s evolve.SeqSpec) bool { return s.Name == f.Seq })
		r := all[i]
		fmt.Printf("\nshrinking %s (seed %d, step %d)…\n", class, f.Seed, f.Step)
		small, res, err := evolve.Shrink(root, tmp, filepath.Join(tmp, "shrink-"+f.Seq), specs[i], r, f, opts, func(format string, a ...any) {
			fmt.Printf("  "+format+"\n", a...)
		})
		if err != nil {
			return err
		}
		id := fmt.Sprintf("%d_%d", f.Seed, res.Find(class).Step)
		goPath, txt, err := evolve.Repro(root, id, small, res, class)
		if err != nil {
			return err
		}
		rows := 0
		for _, st := range small.Inserts {
			rows += len(st)
		}
		fmt.Printf("  %d edits, %d statements: %s, %s\n", len(small.Edits), rows, rel(root, goPath), rel(root, txt))
		written = append(written, fmt.Sprintf("| %s | %d | %d | %d edits, %d statements | `%s` |", class, len(sum.Failures[class]), f.Seed, len(small.Edits), rows, rel(root, txt)))
	}
	if report != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "\n### Run of %s: seed %d, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04"), seed, time.Since(start).Round(time.Second))
		fmt.Fprintf(&b, "%d sequences, %d steps (%.1f steps/s while running); %d failing sequences in %d classes.\n\n", sum.Sequences, sum.Steps, float64(sum.Steps)/runTime.Seconds(), len(failing(all)), len(sum.Failures))
		if len(written) > 0 {
			b.WriteString("| class | sequences | first seed | shrunk to | regression |\n|---|---|---|---|---|\n")
			b.WriteString(strings.Join(written, "\n") + "\n")
		}
		fh, err := os.OpenFile(report, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer fh.Close()
		if _, err := fh.WriteString(b.String()); err != nil {
			return err
		}
	}
	if len(sum.Failures) > 0 {
		return fmt.Errorf("%d failing sequences", len(failing(all)))
	}
	return nil
}

func failing(rs []*evolve.Result) []*evolve.Result {
	var out []*evolve.Result
	for _, r := range rs {
		if len(r.Failures) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}
