package evolve

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Short mode of the evolution test (make test): a fixed seed, one build,
// every edit kind at least once. The long mode is make fuzz-evolution.
const (
	shortSeed  = 20261202
	shortSeqs  = 24
	shortSteps = 10
)

func TestEvolutionShort(t *testing.T) {
	root, err := ModuleRoot(must(os.Getwd()))
	if err != nil {
		t.Fatal(err)
	}
	specs := Sequences(shortSeed, shortSeqs, shortSteps)
	start := time.Now()
	p, err := Build(root, t.TempDir(), specs, Options{MaxRows: 4})
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	rs, err := p.Run(t.TempDir(), 2, "", false)
	if err != nil {
		t.Fatal(err)
	}
	sum := Summarize(rs)
	t.Logf("build %.1fs, run %.1fs: %d sequences, %d steps", built.Seconds(), time.Since(start.Add(built)).Seconds(), sum.Sequences, sum.Steps)
	for _, k := range Kinds() {
		if sum.Kinds[k] == 0 {
			t.Errorf("edit kind %s never ran (kinds run: %v)", k, sum.Kinds)
		}
	}
	classes := make([]string, 0, len(sum.Failures))
	for c := range sum.Failures {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	for _, c := range classes {
		f := sum.Failures[c][0]
		t.Errorf("%s (%d sequences)\n  seed %d, step %d (%s), %s: %s\n  again: make fuzz-evolution seq=%d steps=%d",
			c, len(sum.Failures[c]), f.Seed, f.Step, f.Edit.Kind, f.Phase, trunc(f.Detail, 300), f.Seed, shortSteps)
	}
}

func TestSequencesAreReproducible(t *testing.T) {
	a, b := Sequences(7, 5, 12), Sequences(7, 5, 12)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same seed made different sequences")
	}
	if c := Sequences(8, 5, 12); fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("different seeds made the same sequences")
	}
	if s := Sequence(a[2].Seed, 12); fmt.Sprint(s) != fmt.Sprint(a[2]) {
		t.Fatal("a sequence's own seed does not make it again")
	}
	for _, s := range a {
		if len(s.Edits) != 14 {
			t.Errorf("%s: %d edits, want 2 tables + 12", s.Name, len(s.Edits))
		}
		_, _, fits := Models(s.Edits)
		if slices.Contains(fits, false) {
			t.Errorf("%s: a generated edit does not fit its model: %v", s.Name, fits)
		}
	}
}

func TestApplyEdits(t *testing.T) {
	m := Model{Tables: []Table{
		{Name: "t1", Cols: []Column{{Name: "a", Type: "string"}, {Name: "b", Type: "int"}}, Composite: []string{"a", "b"}},
		{Name: "t2", Cols: []Column{{Name: "c", Type: "string"}, {Name: "r", Type: "int64", Parent: "t1", OnDelete: "CASCADE"}}},
	}}
	next, dropped, ok := Apply(m, Edit{Kind: RenameColumn, Table: "t1", Column: "a", Name: "x"})
	if !ok || next.table("t1").col("x").RenamedFrom != "a" || next.table("t1").Composite[0] != "x" || dropped != nil {
		t.Errorf("rename: %+v %v %v", next.table("t1"), dropped, ok)
	}
	if next, _, _ = Apply(next, Edit{Kind: ToggleIndex, Table: "t1", Column: "x"}); next.table("t1").col("x").RenamedFrom != "" {
		t.Error("a rename hint outlived its step")
	}
	next, _, ok = Apply(m, Edit{Kind: RenameColumn, Table: "t1", Column: "a", Name: "A"})
	if !ok || next.table("t1").col("A").RenamedFrom != "" {
		t.Errorf("case-only rename needs no hint: %+v", next.table("t1"))
	}
	next, dropped, ok = Apply(m, Edit{Kind: DropTable, Table: "t1"})
	if !ok || next.table("t1") != nil || next.table("t2").col("r").Parent != "" || !slices.Equal(dropped, []Dropped{{Table: "t1"}}) {
		t.Errorf("drop a parent: %+v %v", next, dropped)
	}
	next, _, ok = Apply(m, Edit{Kind: RenameTable, Table: "t1", Name: "t9"})
	if !ok || next.table("t9").RenamedFrom != "t1" || next.table("t2").col("r").Parent != "t9" {
		t.Errorf("rename a parent: %+v", next)
	}
	next, dropped, _ = Apply(m, Edit{Kind: DropColumn, Table: "t1", Column: "b"})
	if next.table("t1").Composite != nil || !slices.Equal(dropped, []Dropped{{Table: "t1", Column: "b"}}) {
		t.Errorf("drop a column of the composite index: %+v %v", next.table("t1"), dropped)
	}
	if _, _, ok := Apply(m, Edit{Kind: ChangeType, Table: "t2", Column: "r", Type: "string"}); ok {
		t.Error("a FK column was retyped")
	}
	next, _, _ = Apply(m, Edit{Kind: ChangeType, Table: "t1", Column: "a", Type: "time.Time"})
	mp := StepMapping(m, next, Edit{Kind: ChangeType, Table: "t1", Column: "a"}, nil)
	if !mp.Retyped["t1"]["a"] || mp.Retyped["t1"]["b"] {
		t.Errorf("retyped: %v", mp.Retyped)
	}
	next, _, _ = Apply(m, Edit{Kind: RenameTable, Table: "t1", Name: "t9"})
	next, _, _ = Apply(next, Edit{Kind: AddColumn, Table: "t9", Name: "n", Type: "int"})
	inv := Mapping{Tables: map[string]string{"t1": "t9"}}.inverse(m, next)
	if inv.table("t9") != "t1" || !inv.dropped("t9", "n") || inv.dropped("t9", "a") {
		t.Errorf("inverse: %+v", inv)
	}
	next, _, _ = Apply(m, Edit{Kind: ChangeType, Table: "t1", Column: "a", Type: "*string"})
	if mp := StepMapping(m, next, Edit{}, nil); len(mp.Retyped) != 0 {
		t.Errorf("a pointer form is the same SQL type: %v", mp.Retyped)
	}
}

// Compare judges by the guard's rule (guard.Kept and guard.go), on values
// read from a real database.
func TestCompare(t *testing.T) {
	const before = `CREATE TABLE t (id integer PRIMARY KEY, a, b, d DEFAULT 'x');
		INSERT INTO t VALUES (1, '25', 'x', 'x'), (2, 'abc', NULL, NULL), (3, 2, 3.5, 'x')`
	snap := func(stmts string) *Snapshot {
		r := &runner{work: t.TempDir()}
		db, err := r.open()
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, s := range strings.Split(stmts, ";") {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		return must(TakeSnapshot(db))
	}
	b := snap(before)
	cases := []struct {
		name   string
		change string
		m      Mapping
		want   []string
	}{
		{"unchanged", "", Mapping{}, nil},
		{"same text ('25' → 25)", "UPDATE t SET a = 25 WHERE id = 1", Mapping{}, nil},
		{"same number (2 → 2.0)", "UPDATE t SET a = 2.0 WHERE id = 3", Mapping{}, nil},
		{"inexact conversion", "UPDATE t SET a = 0 WHERE id = 2", Mapping{}, []string{"value_changed t.a 2"}},
		{"a value became NULL", "UPDATE t SET b = NULL WHERE id = 3", Mapping{}, []string{"value_changed t.b 3"}},
		{"NULLs filled", "UPDATE t SET b = '' WHERE id = 2", Mapping{}, nil},
		{"rows added", "INSERT INTO t (id) VALUES (9)", Mapping{}, nil},
		{"renamed and dropped", "ALTER TABLE t RENAME TO u; ALTER TABLE u RENAME COLUMN a TO z; ALTER TABLE u DROP COLUMN b",
			Mapping{Tables: map[string]string{"t": "u"}, Columns: map[string]map[string]string{"t": {"a": "z"}}, Dropped: []Dropped{{Table: "t", Column: "b"}}}, nil},
		{"row lost, column lost", "DELETE FROM t WHERE id = 2; ALTER TABLE t DROP COLUMN b", Mapping{}, []string{"column_lost t.b 0", "row_lost t. 2"}},
		{"column holding only its default dropped", "ALTER TABLE t DROP COLUMN d", Mapping{}, nil},
	}
	for _, c := range cases {
		after := b
		if c.change != "" {
			after = snap(before + ";" + c.change)
		}
		var got []string
		for _, p := range Compare(b, after, c.m) {
			got = append(got, fmt.Sprintf("%s %s.%s %d", p.Kind, p.Table, p.Column, p.ID))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: problems %q, want %q", c.name, got, c.want)
		}
	}
	// A refusal naming a column whose values were kept is false.
	changed := snap(before + "; UPDATE t SET a = 0 WHERE id = 2; ALTER TABLE t DROP COLUMN d")
	named := []Dropped{{Table: "t", Column: "a"}, {Table: "t", Column: "b"}, {Table: "t", Column: "d"}}
	if got := unlost(b, changed, Mapping{Dropped: []Dropped{{Table: "t", Column: "d"}}}, named); !slices.Equal(got, named[1:]) {
		t.Errorf("unlost: %v, want %v", got, named[1:])
	}
	// A default counts as stored: DEFAULT 0 in a real column is 0.0.
	r := snap("CREATE TABLE r (id integer PRIMARY KEY, x real DEFAULT 0, y real DEFAULT 0); INSERT INTO r (id, y) VALUES (1, 0), (2, 1)")
	if n, m := r.losable("r", "x"), r.losable("r", "y"); n != 0 || m != 1 {
		t.Errorf("real columns with DEFAULT 0: %d and %d values to lose, want 0 and 1", n, m)
	}
	if n := b.losable("t", "d"); n != 0 {
		t.Errorf("a column holding its default and NULL: %d values to lose, want 0", n)
	}
	if n := b.losable("t", "b"); n != 2 {
		t.Errorf("column b: %d values to lose, want 2", n)
	}
}

// The snapshot must see storage classes and bytes exactly, whatever the
// declared type: a real's bits, a datetime column's text (never parsed).
func TestSnapshotExact(t *testing.T) {
	r := &runner{work: t.TempDir()}
	db, err := r.open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE t (id integer PRIMARY KEY, d datetime, n numeric, x text, b blob)"); err != nil {
		t.Fatal(err)
	}
	for i, lit := range Literals {
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO t VALUES (%d, %[2]s, %[2]s, %[2]s, %[2]s)", i+1, lit)); err != nil {
			t.Fatalf("%s: %v", lit, err)
		}
	}
	s, err := TakeSnapshot(db)
	if err != nil {
		t.Fatal(err)
	}
	find := func(lit string) []Value { return s.Tables["t"].Rows[int64(slices.Index(Literals, lit)+1)] }
	if v := find("0.30000000000000004")[1]; v.Class != "real" || !strings.HasPrefix(v.Bytes, "3fd3333333333334") {
		t.Errorf("a real's bits: %+v", v)
	}
	if v := find("'1986-10-16T00:00:00.000Z'")[0]; v.Class != "text" || unhex(v.Bytes) != "1986-10-16T00:00:00.000Z" {
		t.Errorf("datetime column text: %+v", v)
	}
	if v := find("'42'")[1]; v.Class != "integer" || unhex(v.Bytes) != "42" {
		t.Errorf("numeric affinity converts '42': %+v", v)
	}
	if v := find("X'00FF10'")[3]; v.Class != "blob" || v.Bytes != "00FF10" {
		t.Errorf("blob: %+v", v)
	}
	if v := find("NULL")[0]; v.Class != "null" {
		t.Errorf("NULL: %+v", v)
	}
	if !s.Equal(must(TakeSnapshot(db))) {
		t.Error("two snapshots of the same database differ")
	}
}

// A reproduction must pass whichever correct way a fix takes: apply (or
// rollback) may refuse, so its status is ignored and the value checked.
func TestScriptAcceptsARefusal(t *testing.T) {
	before := Value{Class: "text", Bytes: "796573", Text: "796573"} // 'yes'
	applied := Value{Class: "integer", Bytes: "30", Text: "30"}
	res := &Result{Trace: []TraceOp{
		{Step: 0, Args: []string{"diff", "--interactive=false", "step0"}},
		{Step: 0, Args: []string{"apply"}},
		{Step: 1, SQL: []string{"INSERT INTO \"t1\" (\"id\", \"c2\") VALUES (1, 'yes')"}},
		{Step: 1, Args: []string{"diff", "--interactive=false", "step1"}},
		{Step: 1, Args: []string{"apply"}},
		{Step: 1, Args: []string{"rollback"}},
	}}
	f := &Failure{Seed: 9, Step: 1, Phase: "rollback", Class: "rollback: value_changed", TraceLen: 6,
		Problems: []Problem{{Kind: "value_changed", Table: "t1", Column: "c2", NewTable: "t1", NewColumn: "c2", ID: 1, Before: before, After: Value{Class: "integer", Bytes: "30"}, Applied: &applied}}}
	s := Script("x", res, f)
	for _, want := range []string{
		"sqlq -exec app.db 'INSERT INTO \"t1\" (\"id\", \"c2\") VALUES (1, ''yes'')'\n",
		"exec structmigrate-evo-x-1 apply\n",
		"exec sh -c 'structmigrate-evo-x-1 rollback || true'\n",
		`stdout '^((text\|796573\|.*|[a-z]+\|[^|]*\|796573\|.*|.*\|1)|(integer\|30\|.*|[a-z]+\|[^|]*\|30\|.*|.*\|1))$'`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	f.Phase, f.TraceLen = "apply", 5
	f.Problems[0].Retyped, f.Problems[0].Applied = true, nil
	s = Script("x", res, f)
	for _, want := range []string{"exec sh -c 'structmigrate-evo-x-1 apply || true'\n", `hex(CAST("c2" AS TEXT))`, `FROM "t1" WHERE id = 1`, `stdout '^(text\|796573\|.*|[a-z]+\|[^|]*\|796573\|.*|.*\|1)$'`} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "-1 rollback") {
		t.Errorf("the script goes past the failing command:\n%s", s)
	}
}

// A false refusal's reproduction ends at the refused command, which must
// pass.
func TestScriptOfAFalseRefusal(t *testing.T) {
	res := &Result{Trace: []TraceOp{
		{Step: 0, Args: []string{"diff", "--interactive=false", "step0"}},
		{Step: 0, Args: []string{"apply"}},
		{Step: 1, Args: []string{"diff", "--interactive=false", "step1"}},
		{Step: 1, Args: []string{"apply"}, Code: 1},
		{Step: 1, Args: []string{"apply", "--force"}},
	}}
	s := Script("x", res, &Failure{Step: 1, Phase: "apply --force", Class: "false refusal: apply names values --force keeps", TraceLen: 5})
	if !strings.Contains(s, "exec structmigrate-evo-x-1 apply\n") || strings.Contains(s, "-1 apply --force") || strings.Contains(s, "! exec") {
		t.Errorf("script:\n%s", s)
	}
}

func TestRefusalCount(t *testing.T) {
	msg := `Error: apply refused, it would lose data: migrations/1_step3.sql: column "t1"."c5" is dropped with 3 non-NULL values (e.g. id=1: 'a'); migrations/1_step3.sql: table "t2" is dropped with 1 row; nothing was changed`
	if n, ok := refusalCount(msg, Dropped{Table: "t1", Column: "c5"}); !ok || n != 3 {
		t.Errorf("column: %d %v", n, ok)
	}
	if n, ok := refusalCount(msg, Dropped{Table: "t2"}); !ok || n != 1 {
		t.Errorf("table: %d %v", n, ok)
	}
	if _, ok := refusalCount(msg, Dropped{Table: "t1", Column: "c6"}); ok {
		t.Error("a count for a column the message does not name")
	}
}

func TestMentions(t *testing.T) {
	for _, c := range []struct {
		msg  string
		t, c string
		want bool
	}{
		{`column "t1"."c1" would lose 2 non-NULL values`, "t1", "c1", true},
		{`column "t1"."c12" would lose 2 non-NULL values`, "t1", "c1", false},
		{`migrations/x.sql:4: t1.c1 becomes integer, but 3 values would not convert`, "t1", "c1", true},
		{`migrations/x.sql:4: t1.c12 becomes integer, but 3 values would not convert`, "t1", "c1", false},
	} {
		if got := mentions(c.msg, c.t, c.c); got != c.want {
			t.Errorf("mentions(%q, %s.%s) = %v", c.msg, c.t, c.c, got)
		}
	}
}

// A reproduction's value check accepts what the guard keeps and nothing
// else: run on a real database, printed as sqlq prints rows.
func TestKeptCheck(t *testing.T) {
	r := &runner{work: t.TempDir()}
	db, err := r.open()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE b (id integer PRIMARY KEY, v); CREATE TABLE a (id integer PRIMARY KEY, v);
		INSERT INTO b VALUES (1, '25'), (2, 2), (3, 'abc'), (4, 0.5), (5, 9007199254740993), (6, NULL);
		INSERT INTO a VALUES (1, 25), (2, 2.0), (3, 0), (4, '0.5'), (5, 9007199254740992.0), (6, 'x')`); err != nil {
		t.Fatal(err)
	}
	s := must(TakeSnapshot(db))
	for id, want := range map[int64]bool{1: true, 2: true, 3: false, 4: true, 5: false, 6: true} {
		before, after := s.Tables["b"].Rows[id][0], s.Tables["a"].Rows[id][0]
		if got := before.kept(after); got != want {
			t.Errorf("id %d: kept %v, want %v", id, got, want)
		}
		rows, err := db.Query(keptQuery(`"v"`, `"a"`, id, before))
		if err != nil {
			t.Fatal(err)
		}
		var line string
		for rows.Next() {
			vals := make([]any, 4)
			ptrs := []any{&vals[0], &vals[1], &vals[2], &vals[3]}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			cells := make([]string, 4)
			for i, v := range vals {
				switch v := v.(type) {
				case nil:
					cells[i] = "NULL"
				case []byte:
					cells[i] = string(v)
				default:
					cells[i] = fmt.Sprint(v)
				}
			}
			line = strings.Join(cells, "|")
		}
		rows.Close()
		if got := regexp.MustCompile("^" + keptValue(before) + "$").MatchString(line); got != want {
			t.Errorf("id %d: %q matches %s: %v, want %v", id, line, keptValue(before), got, want)
		}
	}
}
