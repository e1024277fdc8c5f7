package evolve

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/structmigrate/structmigrate/internal/cli"
	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/plan"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// SeqSpec is one sequence: the edits (step k runs edit k on the models of
// steps < k) and, when replaying a reproduction, the rows to insert before
// each step instead of random ones.
type SeqSpec struct {
	Name    string     `json:"name"` // models of step k are registered as Name/k
	Seed    uint64     `json:"seed"`
	Edits   []Edit     `json:"edits"`
	Inserts [][]string `json:"inserts,omitempty"`
}

// Key names the models of step k of a sequence.
func Key(seq string, k int) string { return fmt.Sprintf("%s/%d", seq, k) }

// Models replays the edits: the model of every step whose edit fits, and
// the data deliberately dropped by each.
func Models(edits []Edit) ([]Model, [][]Dropped, []bool) {
	var m Model
	models := make([]Model, len(edits))
	drops := make([][]Dropped, len(edits))
	fits := make([]bool, len(edits))
	for k, e := range edits {
		next, d, ok := Apply(m, e)
		if ok {
			m = next
		}
		models[k], drops[k], fits[k] = next, d, ok
		if !ok {
			models[k] = m.Clone()
		}
	}
	return models, drops, fits
}

// Options tune a run.
type Options struct {
	MaxRows int // rows inserted per table before each step, at most
}

// Failure is a broken invariant. A sequence goes on after a data problem
// (the next steps start from the database as it is) and stops after any
// other.
type Failure struct {
	Seq      string    `json:"seq"`
	Seed     uint64    `json:"seed"`
	Step     int       `json:"step"`
	Edit     Edit      `json:"edit"`
	Phase    string    `json:"phase"` // diff, apply, apply --force, rollback, reapply
	Class    string    `json:"class"` // a short stable category, for grouping
	Detail   string    `json:"detail"`
	Problems []Problem `json:"problems,omitempty"` // the data problems, the first few
	TraceLen int       `json:"traceLen"`           // the trace up to the failing command
}

// Result is what running one sequence found.
type Result struct {
	Seq      string         `json:"seq"`
	Steps    int            `json:"steps"`    // steps run to the end
	Outcomes map[string]int `json:"outcomes"` // kind/outcome → count
	Notes    []string       `json:"notes,omitempty"`
	Failures []*Failure     `json:"failures,omitempty"`
	Ended    string         `json:"ended,omitempty"` // why a sequence stopped early without a failure
	Inserts  [][]string     `json:"inserts"`         // the rows inserted before each step
	Trace    []TraceOp      `json:"trace,omitempty"`
}

// TraceOp is one command or insert of a run, for the reproduction.
type TraceOp struct {
	Step   int      `json:"step"`
	Args   []string `json:"args,omitempty"` // CLI arguments after the global flags
	Code   int      `json:"code"`
	Stderr string   `json:"stderr,omitempty"`
	SQL    []string `json:"sql,omitempty"` // data the harness wrote
}

const config = `env "local" {
  url = "sqlite://app.db"
  dev = "sqlite://dev?mode=memory"
  migration {
    dir = "file://migrations"
  }
}
`

// runner runs one sequence in its own directory.
type runner struct {
	spec   SeqSpec
	reg    map[string][]any
	opts   Options
	work   string
	ctx    context.Context
	res    *Result
	models []Model
	drops  [][]Dropped
}

// RunSequence runs spec in a fresh directory under work.
func RunSequence(ctx context.Context, spec SeqSpec, reg map[string][]any, work string, opts Options) *Result {
	r := &runner{spec: spec, reg: reg, opts: opts, work: work, ctx: ctx,
		res: &Result{Seq: spec.Name, Outcomes: map[string]int{}}}
	r.models, r.drops, _ = Models(spec.Edits)
	if err := os.MkdirAll(filepath.Join(work, "migrations"), 0o755); err != nil {
		r.fail(0, "setup", "harness", err.Error())
		return r.res
	}
	if err := os.WriteFile(r.path("atlas.hcl"), []byte(config), 0o644); err != nil {
		r.fail(0, "setup", "harness", err.Error())
		return r.res
	}
	for k := range spec.Edits {
		if !r.step(k) {
			break
		}
		r.res.Steps++
	}
	return r.res
}

func (r *runner) path(p string) string { return filepath.Join(r.work, p) }

func (r *runner) failData(k int, phase, class string, ps []Problem) {
	r.fail(k, phase, class, strings.TrimPrefix(problemsText(ps), "; "))
	r.res.Failures[len(r.res.Failures)-1].Problems = ps[:min(len(ps), 5)]
}

// Find returns the first failure of class, or nil.
func (r *Result) Find(class string) *Failure {
	for _, f := range r.Failures {
		if f.Class == class {
			return f
		}
	}
	return nil
}

func (r *runner) fail(k int, phase, class, detail string) {
	var e Edit
	if k < len(r.spec.Edits) {
		e = r.spec.Edits[k]
	}
	r.res.Failures = append(r.res.Failures, &Failure{Seq: r.spec.Name, Seed: r.spec.Seed, Step: k, Edit: e, Phase: phase, Class: class, Detail: detail, TraceLen: len(r.res.Trace)})
}

func (r *runner) note(format string, args ...any) {
	r.res.Notes = append(r.res.Notes, fmt.Sprintf(format, args...))
}

// cli runs the real command line in-process with the models of step k.
func (r *runner) cli(k int, args ...string) (int, string, string) {
	models, ok := r.reg[Key(r.spec.Name, k)]
	if !ok {
		panic("evolve: no models registered for " + Key(r.spec.Name, k))
	}
	full := append([]string{"structmigrate", "--config", r.path("atlas.hcl"), "--dir", r.path("migrations"), "--db", r.path("app.db")}, args...)
	var out, errb bytes.Buffer
	code := cli.Main(full, cli.Program{Models: models}, &out, &errb)
	r.res.Trace = append(r.res.Trace, TraceOp{Step: k, Args: args, Code: code, Stderr: errb.String()})
	return code, out.String(), errb.String()
}

func (r *runner) open() (*sql.DB, error) {
	db, err := sqlitedb.OpenFile(r.path("app.db"), false)
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec("PRAGMA foreign_keys = on"); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (r *runner) snapshot() (*Snapshot, error) {
	db, err := r.open()
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return TakeSnapshot(db)
}

// exec writes data as the application (or a user fixing it) would.
func (r *runner) exec(k int, stmts ...string) error {
	if len(stmts) == 0 {
		return nil
	}
	db, err := r.open()
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	r.res.Trace = append(r.res.Trace, TraceOp{Step: k, SQL: stmts})
	return nil
}

// insert writes the rows of step k: the recorded ones, or random ones.
func (r *runner) insert(k int) error {
	var stmts []string
	if r.spec.Inserts != nil {
		if k < len(r.spec.Inserts) {
			stmts = r.spec.Inserts[k]
		}
		if err := r.exec(k, stmts...); err != nil {
			return err
		}
	} else if k > 0 {
		db, err := r.open()
		if err != nil {
			return err
		}
		e := r.spec.Edits[k]
		rng := rand.New(rand.NewPCG(e.Seed, r.spec.Seed))
		stmts, err = insertRows(db, rng, r.opts.MaxRows)
		db.Close()
		if err != nil {
			return err
		}
		r.res.Trace = append(r.res.Trace, TraceOp{Step: k, SQL: stmts})
	}
	r.res.Inserts = append(r.res.Inserts, stmts)
	return nil
}

// step runs edit k; false stops the sequence.
func (r *runner) step(k int) bool {
	e := r.spec.Edits[k]
	kind := e.Kind
	count := func(outcome string) { r.res.Outcomes[kind+"/"+outcome]++ }
	count("run")
	prev := Model{}
	if k > 0 {
		prev = r.models[k-1]
	}
	if err := r.insert(k); err != nil {
		r.fail(k, "insert", "harness", err.Error())
		return false
	}
	s0, err := r.snapshot()
	if err != nil {
		r.fail(k, "snapshot", "harness", err.Error())
		return false
	}
	// diff
	files0, _ := filepath.Glob(r.path("migrations/*.sql"))
	code, out, stderr := r.cli(k, "diff", "--interactive=false", fmt.Sprintf("step%d", k))
	files1, _ := filepath.Glob(r.path("migrations/*.sql"))
	if code != 0 {
		r.fail(k, "diff", "diff failed: "+normalize(stderr), oneLine(stderr))
		return false
	}
	if strings.Contains(out, "no changes") {
		count("no_change")
		if len(files1) != len(files0) {
			r.fail(k, "diff", "diff wrote a file but said no changes", out)
			return false
		}
		return r.checkState(k, "diff (no changes)", r.models[k], s0)
	}
	if len(files1) != len(files0)+1 {
		r.fail(k, "diff", "diff did not write one file", out)
		return false
	}
	mapping := StepMapping(prev, r.models[k], e, r.drops[k])

	// apply, as a user would: without --force first.
	code, _, stderr = r.cli(k, "apply")
	phase := "apply"
	var accepted []Dropped // what the refusal named: --force may change it
	refusal := ""          // the data-loss refusal that --force passed
	expectRefusal := ""
	for _, d := range r.drops[k] {
		if d.Column == "" && len(lookupRows(s0, d.Table)) > 0 {
			expectRefusal = fmt.Sprintf("dropped table %s holds rows", d.Table)
		}
		if d.Column != "" && s0.losable(d.Table, d.Column) > 0 {
			expectRefusal = fmt.Sprintf("dropped column %s.%s holds values other than its default", d.Table, d.Column)
		}
	}
	if code != 0 {
		s, err := r.snapshot()
		if err != nil {
			r.fail(k, phase, "harness", err.Error())
			return false
		}
		if !s.Equal(s0) {
			r.fail(k, phase, "refused apply changed the database", firstDiff(s0.Describe(), s.Describe()))
			return false
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			r.note("multi-line error: %q", stderr)
		}
		accepted = named(prev, stderr)
		for _, d := range r.drops[k] {
			if !mentions(stderr, d.Table, d.Column) {
				if expectRefusal != "" {
					r.fail(k, phase, "drop refusal does not name the dropped data", oneLine(stderr))
					return false
				}
			}
			if n, ok := refusalCount(stderr, d); ok && n != lossCount(s0, d) {
				r.fail(k, phase, "drop refusal counts wrong", fmt.Sprintf("%s (the database holds %d)", oneLine(stderr), lossCount(s0, d)))
				return false
			}
		}
		for t, cols := range mapping.Retyped {
			for c := range cols {
				if !containsDropped(accepted, t, c) && refusalIsData(stderr) && !mentions(stderr, t, c) && expectRefusal == "" {
					r.note("type-change refusal does not name %s.%s: %s", t, c, oneLine(stderr))
				}
			}
		}
		switch {
		case refusalIsData(stderr):
			refusal = stderr
			count("refused_then_forced")
			r.res.Outcomes["refusal/"+normalize(stderr)]++
			phase = "apply --force"
			code, _, stderr = r.cli(k, "apply", "--force")
		case constraintFailure(stderr):
			// A constraint the data breaks (unique, check, foreign key): the
			// user fixes the data, as the error asks, and applies again.
			count("refused_constraint_fixed")
			r.res.Outcomes["refusal/"+normalize(stderr)]++
			if err := r.fixData(k, e, stderr); err != nil {
				r.res.Ended = fmt.Sprintf("step %d: cannot fix the data for %q: %v", k, oneLine(stderr), err)
				return false
			}
			if s0, err = r.snapshot(); err != nil {
				r.fail(k, phase, "harness", err.Error())
				return false
			}
			code, _, stderr = r.cli(k, "apply")
		}
		if code != 0 {
			r.res.Outcomes["failed/"+normalize(stderr)]++
			r.res.Ended = fmt.Sprintf("step %d (%s): %s: %s", k, e.Kind, phase, oneLine(stderr))
			count("apply_failed")
			return false
		}
	} else {
		count("applied")
		if expectRefusal != "" {
			s1, _ := r.snapshot()
			r.fail(k, phase, "drop not refused: "+e.Kind, expectRefusal+"; apply succeeded without --force"+problemsText(Compare(s0, s1, Mapping{Tables: mapping.Tables, Columns: mapping.Columns, Retyped: mapping.Retyped})))
		}
	}
	s1, err := r.snapshot()
	if err != nil {
		r.fail(k, phase, "harness", err.Error())
		return false
	}
	m := mapping
	m.Dropped = append(slices.Clone(m.Dropped), accepted...)
	// A value apply changed is reported once: rollback and the second
	// apply are not checked on it again.
	var reported []Dropped
	if p := Compare(s0, s1, m); len(p) > 0 {
		r.failData(k, phase, classify(phase, e, p[0], prev), p)
		reported = append(reported, where(p)...)
	}
	if refusal != "" {
		if ds := unlost(s0, s1, mapping, accepted); len(ds) > 0 {
			r.falseRefusal(k, phase, "apply", ds, refusal)
		}
	}
	if !r.checkState(k, phase, r.models[k], s1) {
		return false
	}

	// rollback: the previous rows exactly, but for what was dropped or
	// accepted with --force.
	code, _, stderr = r.cli(k, "rollback")
	phase = "rollback"
	var rnamed []Dropped // what a rollback refusal named, by the applied names
	if code != 0 {
		s, _ := r.snapshot()
		if s == nil || !s.Equal(s1) {
			r.fail(k, phase, "refused rollback changed the database", oneLine(stderr))
			return false
		}
		r.res.Outcomes["rollback_refused/"+normalize(stderr)]++
		refusal = stderr
		// What the refusal names, --force may change (as for apply).
		rnamed = named(r.models[k], stderr)
		for _, d := range rnamed {
			for _, pt := range prev.Tables {
				for _, pc := range pt.Cols {
					if strings.EqualFold(mapping.table(pt.Name), d.Table) && strings.EqualFold(mapping.column(pt.Name, pc.Name), d.Column) {
						reported = append(reported, Dropped{Table: pt.Name, Column: pc.Name})
					}
				}
			}
		}
		phase = "rollback --force"
		if code, _, stderr = r.cli(k, "rollback", "--force"); code != 0 {
			// A refusal --force cannot pass (a forced drop of a parent
			// table leaves child rows the restored foreign key would
			// orphan): not a loss if nothing changed; the sequence goes on
			// from the applied state.
			if s, _ := r.snapshot(); s == nil || !s.Equal(s1) {
				r.fail(k, phase, "failed rollback --force changed the database: "+normalize(stderr), oneLine(stderr))
				return false
			}
			r.res.Outcomes["rollback_impossible/"+normalize(stderr)]++
			count("rollback_impossible")
			return true
		}
	}
	s2, err := r.snapshot()
	if err != nil {
		r.fail(k, phase, "harness", err.Error())
		return false
	}
	if phase == "rollback --force" {
		if ds := unlost(s1, s2, mapping.inverse(prev, r.models[k]), rnamed); len(ds) > 0 {
			r.falseRefusal(k, phase, "rollback", ds, refusal)
		}
	}
	back := Mapping{Dropped: append(slices.Clone(m.Dropped), reported...)}
	if p := Compare(s0, s2, back); len(p) > 0 {
		for i := range p {
			if t := lookup(s1, mapping.table(p[i].Table)); t != nil && p[i].Kind == "value_changed" {
				if j := colIndex(t, mapping.column(p[i].Table, p[i].Column)); j >= 0 && t.Rows[p[i].ID] != nil {
					v := t.Rows[p[i].ID][j]
					p[i].Applied = &v
				}
			}
		}
		r.failData(k, phase, classify(phase, e, p[0], prev), p)
		reported = append(reported, where(p)...)
	}
	if k > 0 && !r.checkState(k-1, phase, prev, s2) {
		return false
	}

	// apply again: the state after the first apply, exactly.
	phase = "reapply"
	if code, _, stderr = r.cli(k, "apply"); code != 0 {
		if !refusalIsData(stderr) {
			r.fail(k, phase, "reapply failed: "+normalize(stderr), oneLine(stderr))
			return false
		}
		r.res.Outcomes["reapply_refused/"+normalize(stderr)]++
		refusal, rnamed = stderr, named(prev, stderr)
		phase = "reapply --force"
		if code, _, stderr = r.cli(k, "apply", "--force"); code != 0 {
			r.fail(k, phase, "reapply --force failed: "+normalize(stderr), oneLine(stderr))
			return false
		}
	}
	s3, err := r.snapshot()
	if err != nil {
		r.fail(k, phase, "harness", err.Error())
		return false
	}
	if phase == "reapply --force" {
		if ds := unlost(s2, s3, mapping, rnamed); len(ds) > 0 {
			r.falseRefusal(k, phase, "reapply", ds, refusal)
		}
	}
	again := Mapping{Dropped: renamedDrops(append(accepted, reported...), mapping)}
	if p := Compare(s1, s3, again); len(p) > 0 {
		r.failData(k, phase, classify(phase, e, p[0], prev), p)
	}
	return r.checkState(k, phase, r.models[k], s3)
}

// falseRefusal records a refusal that named columns --force then kept
// (ds, as before names them).
func (r *runner) falseRefusal(k int, phase, op string, ds []Dropped, refusal string) {
	r.fail(k, phase, "false refusal: "+op+" names values --force keeps", fmt.Sprintf("%v kept everything: %s", ds, oneLine(refusal)))
}

// refusalCount reads the count a drop refusal gives for d, in the guard's
// form (guard.Loss: `table "t" is dropped with N rows`, `column "t"."c" is
// dropped with N non-NULL values`).
func refusalCount(msg string, d Dropped) (int, bool) {
	re := `table "` + regexp.QuoteMeta(d.Table) + `" is dropped with (\d+) row`
	if d.Column != "" {
		re = `column "` + regexp.QuoteMeta(d.Table) + `"\."` + regexp.QuoteMeta(d.Column) + `" is dropped with (\d+) non-NULL value`
	}
	m := regexp.MustCompile(re).FindStringSubmatch(msg)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// lossCount is what dropping d loses: the table's rows, or the column's
// values but NULLs and its default.
func lossCount(s *Snapshot, d Dropped) int {
	if d.Column != "" {
		return s.losable(d.Table, d.Column)
	}
	return len(lookupRows(s, d.Table))
}

func lookupRows(s *Snapshot, table string) map[int64][]Value {
	if t := lookup(s, table); t != nil {
		return t.Rows
	}
	return nil
}

// where lists the columns (or, for lost rows, the tables) of problems.
func where(ps []Problem) []Dropped {
	var out []Dropped
	for _, p := range ps {
		out = append(out, Dropped{Table: p.Table, Column: p.Column})
	}
	return out
}

// renamedDrops names accepted columns as they are after the edit.
func renamedDrops(ds []Dropped, m Mapping) []Dropped {
	out := make([]Dropped, len(ds))
	for i, d := range ds {
		out[i] = Dropped{Table: m.table(d.Table), Column: m.column(d.Table, d.Column)}
	}
	return out
}

func containsDropped(ds []Dropped, t, c string) bool {
	for _, d := range ds {
		if strings.EqualFold(d.Table, t) && strings.EqualFold(d.Column, c) {
			return true
		}
	}
	return false
}

// named lists the columns of m a refusal names ("t"."c" or t.c).
func named(m Model, msg string) []Dropped {
	var out []Dropped
	for _, t := range m.Tables {
		for _, c := range t.Cols {
			if mentions(msg, t.Name, c.Name) {
				out = append(out, Dropped{Table: t.Name, Column: c.Name})
			}
		}
	}
	return out
}

func mentions(msg, t, c string) bool {
	if c == "" {
		return strings.Contains(msg, `"`+t+`"`)
	}
	// Whole names only: t1.c1 is not named by t1.c12.
	re := `"` + regexp.QuoteMeta(t) + `"\."` + regexp.QuoteMeta(c) + `"|(^|[^\w])` + regexp.QuoteMeta(t+"."+c) + `($|[^\w])`
	return regexp.MustCompile(re).MatchString(msg)
}

// refusalIsData: the data-loss guard refused (what --force accepts).
func refusalIsData(stderr string) bool {
	return strings.Contains(stderr, "apply refused")
}

func constraintFailure(stderr string) bool {
	return strings.Contains(stderr, "constraint failed") || strings.Contains(stderr, "foreign key")
}

// fixData makes the rows satisfy the constraint the edit adds, as a user
// would before applying again: NULL in the offending column (NULLs pass
// unique indexes and checks), or the row's id when it is NOT NULL (only
// in the NULL rows, when NOT NULL is what failed).
func (r *runner) fixData(k int, e Edit, stderr string) error {
	t := r.models[k].table(e.Table)
	if t == nil {
		return fmt.Errorf("no table %s", e.Table)
	}
	var stmts []string
	for _, c := range t.Cols {
		if !strings.Contains(stderr, c.Name) && !(c.Check != "" && strings.Contains(stderr, c.Check)) {
			continue
		}
		v := "NULL"
		if c.NotNull {
			v = "'fix' || id" // unique, and short enough for the check
		}
		where := ""
		if strings.Contains(stderr, "NOT NULL constraint failed") {
			where = " WHERE " + quoteIdent(c.Name) + " IS NULL"
		}
		stmts = append(stmts, fmt.Sprintf("UPDATE %s SET %s = %s%s", quoteIdent(e.Table), quoteIdent(c.Name), v, where))
	}
	if len(stmts) == 0 {
		return fmt.Errorf("no column named")
	}
	if err := r.exec(k, stmts...); err != nil {
		return err
	}
	if k < len(r.res.Inserts) {
		r.res.Inserts[k] = append(r.res.Inserts[k], stmts...)
	}
	return nil
}

// checkState checks the invariants that hold after every command: the
// schema is the one the models of step k want, integrity_check and
// foreign_key_check pass, every file of the directory up to the state is
// recorded as fully applied.
func (r *runner) checkState(k int, phase string, m Model, s *Snapshot) bool {
	db, err := r.open()
	if err != nil {
		r.fail(k, phase, "harness", err.Error())
		return false
	}
	defer db.Close()
	var ic string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ic); err != nil || ic != "ok" {
		r.fail(k, phase, "integrity_check fails", fmt.Sprint(ic, err))
		return false
	}
	fk, err := strings1(db, `SELECT "table" || ' ' || rowid || ' ' || parent FROM pragma_foreign_key_check`)
	if err != nil || len(fk) > 0 {
		r.fail(k, phase, "foreign_key_check fails", fmt.Sprint(fk, err))
		return false
	}
	if diff, err := r.schemaDiff(db, k); err != nil {
		r.fail(k, phase, "harness", err.Error())
		return false
	} else if len(diff) > 0 {
		r.fail(k, phase, "schema differs from the models: "+normalize(diff[0]), strings.Join(diff, "\n"))
		return false
	}
	// Revisions: the directory's versions, oldest first, each complete; a
	// rollback leaves the last file unapplied.
	files, _ := filepath.Glob(r.path("migrations/*.sql"))
	slices.Sort(files)
	want := []string{}
	for _, f := range files {
		want = append(want, strings.SplitN(filepath.Base(f), "_", 2)[0])
	}
	if strings.HasPrefix(phase, "rollback") {
		want = want[:len(want)-1]
	}
	var got []string
	for _, rev := range s.Revisions {
		p := strings.Split(rev, "|")
		if p[1] != p[2] || p[3] != "" {
			r.fail(k, phase, "revision incomplete", rev)
			return false
		}
		got = append(got, p[0])
	}
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		r.fail(k, phase, "revisions differ from the directory", fmt.Sprintf("revisions %v, files %v", got, want))
		return false
	}
	return true
}

// schemaDiff is the change from the live schema to the models of step k,
// as SQL (empty when equal).
func (r *runner) schemaDiff(db *sql.DB, k int) ([]string, error) {
	want, err := desired.Schema(r.ctx, r.reg[Key(r.spec.Name, k)]...)
	if err != nil {
		return nil, err
	}
	drv, err := sqlitedb.Driver(db)
	if err != nil {
		return nil, err
	}
	live, err := drv.InspectSchema(r.ctx, "", &schema.InspectOptions{Exclude: []string{"atlas_schema_revisions"}})
	if err != nil {
		return nil, err
	}
	dev, err := sqlitedb.OpenDev()
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	changes, err := plan.Diff(dev.Driver, live, want)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	return plan.SQL(r.ctx, dev.Driver, changes)
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

var (
	rePath   = regexp.MustCompile(`(/[^\s:/]+)+/migrations/`)
	reStmt   = regexp.MustCompile(`(applying|reverting) ".*?":`)
	reNum    = regexp.MustCompile(`\d+`)
	reQuoted = regexp.MustCompile("[\"`'][^\"`']*[\"`']")
)

// normalize turns a message into a category: names and numbers out.
func normalize(s string) string {
	s = oneLine(s)
	s = rePath.ReplaceAllString(s, "migrations/")
	s = reStmt.ReplaceAllString(s, "$1 STATEMENT:")
	s = reQuoted.ReplaceAllString(s, "Q")
	s = reNum.ReplaceAllString(s, "N")
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

func problemsText(ps []Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i == 8 {
			fmt.Fprintf(&b, "; … %d more", len(ps)-i)
			break
		}
		b.WriteString("; " + p.String())
	}
	return b.String()
}

// classify names a data problem by what it is, not by its values: the
// phase, the kind of problem, the edit and the SQL type the values were
// converted to (a type change) or the column's type.
func classify(phase string, e Edit, p Problem, prev Model) string {
	phase = strings.TrimSuffix(phase, " --force")
	c := fmt.Sprintf("%s: %s after %s", phase, p.Kind, e.Kind)
	if p.Kind != "value_changed" {
		return c
	}
	from := ""
	if t := prev.table(p.Table); t != nil {
		if col := t.col(p.Column); col != nil {
			from = SQLType(*col)
		}
	}
	switch {
	case e.Kind == ChangeType && phase == "rollback":
		return c + " (back to " + from + ")"
	case e.Kind == ChangeType:
		return c + " (to " + SQLType(Column{Type: e.Type}) + ")"
	case from != "":
		return c + " (" + from + ")"
	}
	return c
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("before: %s / after: %s", al[i], bl[i])
		}
	}
	return "lengths differ"
}
