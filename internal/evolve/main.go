package evolve

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Main is the entry point of a generated program: it runs the batch spec
// with the models compiled into it and writes the results as JSON.
//
//	-work DIR    one subdirectory per sequence (required)
//	-out FILE    the results (default: stdout)
//	-shard I -shards N  run every Nth sequence from the Ith
//	-only NAME   run one sequence
//	-shrink-rows after a failing sequence, drop inserted rows while it still fails
func Main(spec string, models map[string][]any) int {
	fs := flag.NewFlagSet("evolve", flag.ContinueOnError)
	work := fs.String("work", "", "work directory")
	out := fs.String("out", "", "results file")
	shard := fs.Int("shard", 0, "run the sequences i of the batch with i % shards == shard")
	shards := fs.Int("shards", 1, "number of shards")
	shrink := fs.Bool("shrink-rows", false, "shrink the inserted rows of failing sequences")
	only := fs.String("only", "", "run only the sequence of this name")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if *work == "" {
		fmt.Fprintln(os.Stderr, "evolve: -work is required")
		return 2
	}
	var b Batch
	if err := json.Unmarshal([]byte(spec), &b); err != nil {
		fmt.Fprintln(os.Stderr, "evolve:", err)
		return 2
	}
	if *only != "" {
		for _, s := range b.Seqs {
			if s.Name == *only {
				b.Seqs = []SeqSpec{s}
			}
		}
		if len(b.Seqs) != 1 || b.Seqs[0].Name != *only {
			fmt.Fprintln(os.Stderr, "evolve: no sequence", *only)
			return 2
		}
	}
	var mine []SeqSpec
	for i, s := range b.Seqs {
		if i%max(*shards, 1) == *shard {
			mine = append(mine, s)
		}
	}
	b.Seqs = mine
	results := RunBatch(context.Background(), b, models, *work)
	if *shrink {
		for i, r := range results {
			if len(r.Failures) > 0 && r.Failures[0].Class != "harness" {
				results[i] = ShrinkRows(context.Background(), b.Seqs[i], r, r.Failures[0], models, filepath.Join(*work, "shrink", b.Seqs[i].Name), b.Opts)
			}
		}
	}
	js, err := json.MarshalIndent(results, "", " ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "evolve:", err)
		return 2
	}
	if *out == "" {
		os.Stdout.Write(js)
		return 0
	}
	if err := os.WriteFile(*out, js, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "evolve:", err)
		return 2
	}
	return 0
}

// RunBatch runs every sequence, one after the other, each in work/<name>.
// Not in goroutines: Atlas's SQLite lock is one file in os.TempDir() for
// every database, so commands of one process would wait for each other
// (and race on that file); Program.Run runs processes instead, each with its
// own TMPDIR.
func RunBatch(ctx context.Context, b Batch, models map[string][]any, work string) []*Result {
	results := make([]*Result, len(b.Seqs))
	for i, s := range b.Seqs {
		results[i] = RunSequence(ctx, s, models, filepath.Join(work, s.Name), b.Opts)
		if len(results[i].Failures) == 0 {
			results[i].Trace = nil // only a failure needs it
		}
	}
	return results
}

// ShrinkRows replays a failing sequence with fewer inserted rows while it
// still fails the same way (f's class at f's step), dropping halves, then
// quarters, … then single statements (delta debugging).
func ShrinkRows(ctx context.Context, s SeqSpec, failed *Result, f *Failure, models map[string][]any, work string, opts Options) *Result {
	s.Inserts = failed.Inserts
	type ref struct{ step, i int }
	all := func(ins [][]string) []ref {
		var out []ref
		for k, st := range ins {
			for i := range st {
				out = append(out, ref{k, i})
			}
		}
		return out
	}
	without := func(ins [][]string, drop map[ref]bool) [][]string {
		out := make([][]string, len(ins))
		for k, st := range ins {
			out[k] = []string{}
			for i, x := range st {
				if !drop[ref{k, i}] {
					out[k] = append(out[k], x)
				}
			}
		}
		return out
	}
	best := failed
	try := 0
	same := func(r *Result) bool {
		g := r.Find(f.Class)
		return g != nil && g.Step == f.Step
	}
	// First confirm the recorded rows reproduce it.
	try++
	if r := RunSequence(ctx, s, models, filepath.Join(work, fmt.Sprint(try)), opts); same(r) {
		best = r
	} else {
		return failed
	}
	for n := 2; ; {
		refs := all(s.Inserts)
		if len(refs) == 0 {
			break
		}
		n = min(n, len(refs))
		chunk := (len(refs) + n - 1) / n
		reduced := false
		for start := 0; start < len(refs); start += chunk {
			drop := map[ref]bool{}
			for _, x := range refs[start:min(start+chunk, len(refs))] {
				drop[x] = true
			}
			cand := s
			cand.Inserts = without(s.Inserts, drop)
			try++
			r := RunSequence(ctx, cand, models, filepath.Join(work, fmt.Sprint(try)), opts)
			os.RemoveAll(filepath.Join(work, fmt.Sprint(try)))
			if same(r) {
				s, best, reduced = cand, r, true
				break
			}
		}
		switch {
		case reduced:
			n = max(n-1, 2)
		case chunk == 1:
			return best
		default:
			n *= 2
		}
		if try > 200 {
			return best
		}
	}
	return best
}
