package plan

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlite"

	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/objects"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// The schema of most tests: t with a view, a trigger on t, and a trigger on
// u whose body writes to t. The view ends with a line comment and the
// trigger spans lines, as SQLite keeps both in sqlite_master.
var (
	baseSchema = []string{
		"CREATE TABLE `t` (`id` integer NOT NULL, `name` text NULL, `note` text NULL, PRIMARY KEY (`id`))",
		"CREATE TABLE `log` (`msg` text NOT NULL)",
		"CREATE TABLE `u` (`id` integer NOT NULL, PRIMARY KEY (`id`))",
		"INSERT INTO `t` (`id`, `name`, `note`) VALUES (1, 'a', 'x'), (2, 'b', 'y')",
	}
	viewV  = "CREATE VIEW `v` AS SELECT `id`, `name` FROM `t` -- names of t"
	trigT  = "CREATE TRIGGER `t_ins` AFTER INSERT ON `t`\nBEGIN\n  INSERT INTO `log` (`msg`) VALUES ('t ' || new.`id`);\nEND"
	trigU  = "CREATE TRIGGER `u_ins` AFTER INSERT ON `u` BEGIN INSERT INTO `t` (`id`, `name`) VALUES (new.`id` + 100, 'from u'); END"
	allObj = []string{viewV, trigT, trigU}
)

func openDB(t *testing.T, stmts ...string) *sql.DB {
	t.Helper()
	db, err := sqlitedb.OpenMemory("preserve")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	execAll(t, db, stmts...)
	return db
}

func execAll(t *testing.T, db schema.ExecQuerier, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// runCmds executes the plan's statements in one transaction, as apply and
// rollback do, and returns the first error (the transaction then rolls back).
func runCmds(db *sql.DB, p *migrate.Plan) error {
	ctx := context.Background()
	tx, err := sqlite.OpenTx(ctx, db, nil)
	if err != nil {
		return err
	}
	for _, c := range p.Changes {
		if _, err := tx.ExecContext(ctx, c.Cmd); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func query(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = v.String
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// atlasPlan inspects db, lets edit change a copy of the schema, and returns
// Atlas's plan from the first to the second, unqualified as plan.go plans.
func atlasPlan(t *testing.T, db *sql.DB, edit func(s *schema.Schema)) *migrate.Plan {
	t.Helper()
	ctx := context.Background()
	drv, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := drv.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := drv.InspectSchema(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	edit(want)
	changes, err := Diff(drv, cur, want)
	if err != nil {
		t.Fatal(err)
	}
	p, err := drv.PlanChanges(ctx, "test", changes, unqualified)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func dropColumn(table, column string) func(*schema.Schema) {
	return func(s *schema.Schema) {
		tb, ok := s.Table(table)
		if !ok {
			panic("no table " + table)
		}
		tb.Columns = slices.DeleteFunc(tb.Columns, func(c *schema.Column) bool { return c.Name == column })
	}
}

func dropTable(table string) func(*schema.Schema) {
	return func(s *schema.Schema) {
		s.Tables = slices.DeleteFunc(s.Tables, func(tb *schema.Table) bool { return tb.Name == table })
	}
}

func cmds(p *migrate.Plan) []string {
	out := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = c.Cmd
	}
	return out
}

func mustObjects(t *testing.T, db schema.ExecQuerier) []objects.Object {
	t.Helper()
	objs, err := objects.Read(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestObjects(t *testing.T) {
	db := openDB(t, append(baseSchema, allObj...)...)
	want := []objects.Object{
		{Type: "view", Name: "v", Table: "v", SQL: viewV},
		{Type: "trigger", Name: "t_ins", Table: "t", SQL: trigT},
		{Type: "trigger", Name: "u_ins", Table: "u", SQL: trigU},
	}
	if got := mustObjects(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("Objects:\n got %q\nwant %q", got, want)
	}
}

// Without Preserve, Atlas's rebuild of t fails on the view or on the
// trigger of u, or (with neither) silently loses t's trigger.
func TestRebuildWithoutPreserve(t *testing.T) {
	for _, tc := range []struct {
		name    string
		objs    []string
		wantErr string
	}{
		{"view", []string{viewV}, "error in view v: no such table: main.t"},
		{"trigger on another table", []string{trigU}, "error in trigger u_ins: no such table: main.t"},
		{"all", allObj, "error in view v: no such table: main.t"},
		{"trigger on t", []string{trigT}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, append(baseSchema, tc.objs...)...)
			p := atlasPlan(t, db, dropColumn("t", "note"))
			err := runCmds(db, p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := mustObjects(t, db); len(got) != 0 {
				t.Fatalf("trigger survived the rebuild: %q", got)
			}
		})
	}
}

func TestPreserveRebuild(t *testing.T) {
	db := openDB(t, append(baseSchema, allObj...)...)
	before := mustObjects(t, db)
	p := atlasPlan(t, db, dropColumn("t", "note"))
	orig := cmds(p)
	changed, err := Preserve(p, before)
	if err != nil || !changed {
		t.Fatalf("Preserve = %v, %v", changed, err)
	}
	got := cmds(p)
	want := slices.Concat(
		orig[:1], // PRAGMA foreign_keys = off
		[]string{"DROP VIEW IF EXISTS `v`", "DROP TRIGGER IF EXISTS `t_ins`", "DROP TRIGGER IF EXISTS `u_ins`"},
		orig[1:len(orig)-1],
		[]string{viewV + "\n", trigT, trigU},
		orig[len(orig)-1:], // PRAGMA foreign_keys = on
	)
	if orig[0] != "PRAGMA foreign_keys = off" || orig[len(orig)-1] != "PRAGMA foreign_keys = on" {
		t.Fatalf("unexpected Atlas plan: %q", orig)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan:\n got %q\nwant %q", got, want)
	}

	// The file as diff writes it: comments, and statements that the SQLite
	// driver's scanner (used by Atlas's executor, hence apply and the Atlas
	// CLI) splits back exactly: the trigger bodies' ";" and the view's
	// trailing line comment included.
	p.Version, p.Name = "20260101000002", "drop_note"
	files, err := migrate.DefaultFormatter.Format(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(files[0].Bytes())
	for _, c := range []string{
		`-- Drop view "v" before rebuilding "t"` + "\n",
		`-- Drop trigger "u_ins" before rebuilding "t"` + "\n",
		`-- Recreate view "v" after rebuilding "t"` + "\n",
		`-- Recreate trigger "t_ins" after rebuilding "t"` + "\n",
	} {
		if !strings.Contains(text, c) {
			t.Errorf("file lacks %q:\n%s", c, text)
		}
	}
	drv, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := migrate.FileStmts(drv, migrate.NewLocalFile(files[0].Name(), files[0].Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != len(got) {
		t.Fatalf("the lexer reads %d statements from the file, the plan has %d:\n%s", len(stmts), len(got), text)
	}
	for i := range stmts {
		if strings.TrimSpace(strings.TrimSuffix(stmts[i], ";")) != strings.TrimSpace(got[i]) {
			t.Errorf("statement %d: file %q, plan %q", i, stmts[i], got[i])
		}
	}

	// Run the file's statements: it works, rows survive, the objects are
	// back with identical SQL, and the triggers fire.
	if err := runCmds(db, &migrate.Plan{Changes: changesOf(stmts)}); err != nil {
		t.Fatal(err)
	}
	if after := mustObjects(t, db); !reflect.DeepEqual(after, before) {
		t.Fatalf("objects after the rebuild:\n got %q\nwant %q", after, before)
	}
	if got := query(t, db, "SELECT `id`, `name` FROM `t` ORDER BY `id`"); !reflect.DeepEqual(got, []string{"1|a", "2|b"}) {
		t.Fatalf("rows of t: %q", got)
	}
	if got := query(t, db, "SELECT count(*) FROM pragma_table_info('t') WHERE `name` = 'note'"); got[0] != "0" {
		t.Fatal("column note was not dropped")
	}
	execAll(t, db, "INSERT INTO `t` (`id`, `name`) VALUES (3, 'c')", "INSERT INTO `u` (`id`) VALUES (7)")
	if got := query(t, db, "SELECT `msg` FROM `log` ORDER BY rowid"); !reflect.DeepEqual(got, []string{"t 3", "t 107"}) {
		t.Fatalf("log: %q", got)
	}
	if got := query(t, db, "SELECT `id`, `name` FROM `v` ORDER BY `id`"); !reflect.DeepEqual(got, []string{"1|a", "2|b", "3|c", "107|from u"}) {
		t.Fatalf("view: %q", got)
	}
}

func changesOf(stmts []string) []*migrate.Change {
	out := make([]*migrate.Change, len(stmts))
	for i, s := range stmts {
		out[i] = &migrate.Change{Cmd: s}
	}
	return out
}

// A plan without a table rebuild is left alone: SQLite keeps views and
// triggers through ALTER TABLE ADD COLUMN, CREATE INDEX and renames.
func TestPreserveWithoutRebuild(t *testing.T) {
	db := openDB(t, append(baseSchema, allObj...)...)
	p := atlasPlan(t, db, func(s *schema.Schema) {
		tb, _ := s.Table("t")
		c := schema.NewNullStringColumn("extra", "text")
		tb.AddColumns(c)
		name, _ := tb.Column("name")
		tb.AddIndexes(schema.NewIndex("t_name").AddColumns(name))
	})
	orig := cmds(p)
	if len(orig) != 2 {
		t.Fatalf("unexpected Atlas plan: %q", orig)
	}
	changed, err := Preserve(p, mustObjects(t, db))
	if err != nil || changed {
		t.Fatalf("Preserve = %v, %v", changed, err)
	}
	if !reflect.DeepEqual(cmds(p), orig) {
		t.Fatalf("plan changed: %q", cmds(p))
	}
	if changed, err := Preserve(p, nil); err != nil || changed {
		t.Fatalf("Preserve without objects = %v, %v", changed, err)
	}
}

func TestPreserveDroppedTable(t *testing.T) {
	xSchema := append(slices.Clone(baseSchema), "CREATE TABLE `x` (`id` integer NOT NULL, PRIMARY KEY (`id`))")
	viewX := "CREATE VIEW `vx` AS SELECT `id` FROM `X`" // SQLite names are case-insensitive
	trigOnX := "CREATE TRIGGER `x_ins` AFTER INSERT ON `x` BEGIN INSERT INTO `log` (`msg`) VALUES ('x'); END"
	trigToX := "CREATE TRIGGER `u_x` AFTER INSERT ON `u` BEGIN DELETE FROM \"x\"; END"

	wantViewErr := `view "vx" depends on table "x", which this migration drops: drop or change the view in a hand-written migration first`
	for _, tc := range []struct {
		name    string
		objs    []string
		edit    func(*schema.Schema)
		wantErr string
	}{
		{"view, with a rebuild", []string{viewV, viewX}, func(s *schema.Schema) { dropTable("x")(s); dropColumn("t", "note")(s) }, wantViewErr},
		{"view, no rebuild", []string{viewX}, dropTable("x"), wantViewErr},
		{"trigger on another table", []string{trigToX}, dropTable("x"),
			`trigger "u_x" depends on table "x", which this migration drops: drop or change the trigger in a hand-written migration first`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t, append(xSchema, tc.objs...)...)
			p := atlasPlan(t, db, tc.edit)
			orig := cmds(p)
			changed, err := Preserve(p, mustObjects(t, db))
			if err == nil || err.Error() != tc.wantErr || changed {
				t.Fatalf("Preserve = %v, %v; want error %q", changed, err, tc.wantErr)
			}
			if !reflect.DeepEqual(cmds(p), orig) {
				t.Fatalf("plan changed on error: %q", cmds(p))
			}
		})
	}

	// A trigger ON the dropped table goes with it, as in SQLite: dropped up
	// front, not recreated; the others are.
	t.Run("trigger on the dropped table", func(t *testing.T) {
		db := openDB(t, append(xSchema, viewV, trigOnX, trigT)...)
		p := atlasPlan(t, db, func(s *schema.Schema) { dropTable("x")(s); dropColumn("t", "note")(s) })
		before := mustObjects(t, db)
		changed, err := Preserve(p, before)
		if err != nil || !changed {
			t.Fatalf("Preserve = %v, %v", changed, err)
		}
		if n := count(cmds(p), "DROP TRIGGER IF EXISTS `x_ins`"); n != 1 {
			t.Fatalf("x_ins dropped %d times: %q", n, cmds(p))
		}
		if err := runCmds(db, p); err != nil {
			t.Fatal(err)
		}
		want := slices.DeleteFunc(before, func(o Object) bool { return o.Name == "x_ins" })
		if after := mustObjects(t, db); !reflect.DeepEqual(after, want) {
			t.Fatalf("objects:\n got %q\nwant %q", after, want)
		}
	})
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// Views and triggers that the plan drops or creates itself are neither
// dropped nor recreated a second time.
func TestPreserveSkipsObjectsOfThePlan(t *testing.T) {
	db := openDB(t, append(baseSchema, allObj...)...)
	p := atlasPlan(t, db, dropColumn("t", "note"))
	newV := "CREATE VIEW `v` AS SELECT `id` FROM `t`"
	newW := "CREATE VIEW IF NOT EXISTS \"main\".`w` AS SELECT `name` FROM `t`"
	last := len(p.Changes) - 1
	p.Changes = slices.Concat(
		p.Changes[:1],
		[]*migrate.Change{{Cmd: "DROP VIEW IF EXISTS `v`"}, {Cmd: "drop trigger u_ins"}},
		p.Changes[1:last],
		[]*migrate.Change{{Cmd: newV}, {Cmd: newW}},
		p.Changes[last:],
	)
	objs := append(mustObjects(t, db), Object{Type: "view", Name: "W", Table: "W", SQL: "CREATE VIEW W AS SELECT 1"})
	changed, err := Preserve(p, objs)
	if err != nil || !changed {
		t.Fatalf("Preserve = %v, %v", changed, err)
	}
	got := cmds(p)
	for s, n := range map[string]int{
		"DROP VIEW IF EXISTS `v`":          1,
		"DROP TRIGGER IF EXISTS `t_ins`":   1,
		"DROP TRIGGER IF EXISTS `u_ins`":   0,
		"DROP VIEW IF EXISTS `W`":          0,
		viewV + "\n":                       0,
		newV:                               1,
		newW:                               1,
		trigT:                              1,
		trigU:                              0,
		"CREATE VIEW W AS SELECT 1":        0,
		"PRAGMA foreign_keys = on":         1,
		"DROP TRIGGER IF EXISTS `unknown`": 0,
	} {
		if c := count(got, s); c != n {
			t.Errorf("%q appears %d times, want %d", s, c, n)
		}
	}
	if t.Failed() {
		t.Fatalf("plan: %q", got)
	}
	if err := runCmds(db, p); err != nil {
		t.Fatal(err)
	}
	names := query(t, db, "SELECT `name` || ':' || `sql` FROM `sqlite_master` WHERE `type` IN ('view', 'trigger') ORDER BY rowid")
	// SQLite stores CREATE VIEW without IF NOT EXISTS and the schema name.
	want := []string{"v:" + newV, "w:CREATE VIEW `w` AS SELECT `name` FROM `t`", "t_ins:" + trigT}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("objects:\n got %q\nwant %q", names, want)
	}
}

// An object that names a table or column the same plan renames would be
// recreated with the old name: refused.
func TestPreserveRenames(t *testing.T) {
	db := openDB(t, append(baseSchema, allObj...)...)
	objs := mustObjects(t, db)

	t.Run("table", func(t *testing.T) {
		p := atlasPlan(t, db, dropColumn("t", "note"))
		p.Changes = append(p.Changes[:1], append([]*migrate.Change{{Cmd: "ALTER TABLE `u` RENAME TO `u2`"}}, p.Changes[1:]...)...)
		_, err := Preserve(p, objs)
		want := `trigger "u_ins" depends on table "u", which this migration renames to "u2" while it rebuilds "t": the trigger would be recreated with the old name; rename the table in a hand-written migration`
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("column in place", func(t *testing.T) {
		p := atlasPlan(t, db, dropColumn("t", "note"))
		p.Changes = append(p.Changes[:1], append([]*migrate.Change{{Cmd: "ALTER TABLE `log` RENAME COLUMN `msg` TO `message`"}}, p.Changes[1:]...)...)
		_, err := Preserve(p, objs)
		want := `trigger "t_ins" depends on column "log"."msg", which this migration renames to "message" while it rebuilds "t": the trigger would be recreated with the old name; rename the column in a hand-written migration`
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %q", err, want)
		}
	})
	t.Run("column in the rebuild", func(t *testing.T) {
		// Atlas copies a renamed column in the rebuild's INSERT … SELECT
		// when the same table has a change that needs the rebuild.
		ctx := context.Background()
		drv, err := sqlite.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := drv.InspectSchema(ctx, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		tb, _ := cur.Table("t")
		want := *tb
		name, _ := tb.Column("name")
		note, _ := tb.Column("note")
		title := *name
		title.Name = "title"
		want.Columns = []*schema.Column{tb.Columns[0], &title}
		p, err := drv.PlanChanges(ctx, "test", []schema.Change{&schema.ModifyTable{T: &want, Changes: []schema.Change{
			&schema.RenameColumn{From: name, To: &title},
			&schema.DropColumn{C: note},
		}}}, unqualified)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(cmds(p), "INSERT INTO `new_t` (`id`, `title`) SELECT `id`, `name` FROM `t`") {
			t.Fatalf("unexpected Atlas plan: %q", cmds(p))
		}
		_, err = Preserve(p, objs)
		wantErr := `view "v" depends on column "t"."name", which this migration renames to "title" while it rebuilds "t": the view would be recreated with the old name; rename the column in a hand-written migration`
		if err == nil || err.Error() != wantErr {
			t.Fatalf("got %v, want %q", err, wantErr)
		}
	})
}

// Replay reads the objects of the replayed directory before Replay
// empties the dev database, and returns the same schema as State.
func TestReplayObjects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "migrations")
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"20260101000001_init.sql": strings.Join(append(slices.Clone(baseSchema), viewV+"\n", trigT), ";\n") + ";\n",
		"20260101000002_u.sql":    trigU + ";\nDROP VIEW `v`;\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(path, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir, err := migdir.Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := migdir.Hash(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		version string
		want    []Object
	}{
		{"20260101000001", []Object{{Type: "view", Name: "v", Table: "v", SQL: viewV}, {Type: "trigger", Name: "t_ins", Table: "t", SQL: trigT}}},
		{"", []Object{{Type: "trigger", Name: "t_ins", Table: "t", SQL: trigT}, {Type: "trigger", Name: "u_ins", Table: "u", SQL: trigU}}},
	} {
		s, objs, err := Replay(ctx, dir, tc.version)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(objs, tc.want) {
			t.Errorf("version %q: objects\n got %q\nwant %q", tc.version, objs, tc.want)
		}
		s2, err := State(ctx, dir, tc.version)
		if err != nil {
			t.Fatal(err)
		}
		dev := openDB(t)
		drv, err := sqlite.Open(dev)
		if err != nil {
			t.Fatal(err)
		}
		if changes, err := Diff(drv, s, s2); err != nil || len(changes) > 0 {
			t.Errorf("version %q: Replay and State differ: %v %v", tc.version, changes, err)
		}
	}
}

func TestRefers(t *testing.T) {
	for _, tc := range []struct {
		sql, name string
		want      bool
	}{
		{"SELECT * FROM t", "t", true},
		{"SELECT * FROM `T`", "t", true},
		{`SELECT * FROM "main"."t"`, "t", true},
		{"SELECT * FROM [t]", "t", true},
		{"SELECT * FROM t2", "t", false},
		{"SELECT * FROM new_t", "t", false},
		{"SELECT * FROM tt, t_x", "t", false},
		{"SELECT 't'", "t", true}, // the heuristic: a literal counts
		{"SELECT * FROM my$t", "t", false},
		{"SELECT * FROM orders", "order", false},
	} {
		if got := refers(tc.sql, tc.name); got != tc.want {
			t.Errorf("refers(%q, %q) = %v", tc.sql, tc.name, got)
		}
	}
}

func TestAnalyzePlan(t *testing.T) {
	a := analyzePlan(changesOf([]string{
		"PRAGMA foreign_keys = off",
		"CREATE TABLE `new_t` (`id` integer)",
		"INSERT INTO `new_t` (`id`, `b`) SELECT `id`, IFNULL(`b`, 0) AS `b` FROM `t`",
		"DROP TABLE `t`",
		"ALTER TABLE `new_t` RENAME TO `t`",
		"DROP TABLE IF EXISTS \"main\".`gone`",
		"drop table `new_t2`", // no rename follows: dropped for good
		"ALTER TABLE `a` RENAME TO `b`",
		"ALTER TABLE `c` RENAME `x` TO `y`",
		"CREATE TEMP TRIGGER IF NOT EXISTS [tr] AFTER INSERT ON t BEGIN SELECT 1; END",
		"DROP VIEW `Some``View`",
		"PRAGMA foreign_keys = on",
	}))
	want := &planInfo{
		rebuilt:        []string{"t"},
		dropped:        []string{"gone", "new_t2"},
		renamedTables:  []rename{{from: "a", to: "b"}},
		renamedColumns: []rename{{table: "c", from: "x", to: "y"}},
		own:            map[string]bool{"tr": true, "some`view": true},
	}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("analyzePlan:\n got %+v\nwant %+v", a, want)
	}
}

// An INSTEAD OF trigger belongs to its view: DROP VIEW removes it too (so
// its DROP TRIGGER needs IF EXISTS), and it is recreated after the view.
func TestPreserveInsteadOfTrigger(t *testing.T) {
	insteadOf := "CREATE TRIGGER `v_ins` INSTEAD OF INSERT ON `v` BEGIN INSERT INTO `t` (`id`, `name`) VALUES (new.`id`, new.`name`); END"
	db := openDB(t, append(baseSchema, viewV, insteadOf)...)
	before := mustObjects(t, db)
	p := atlasPlan(t, db, dropColumn("t", "note"))
	if changed, err := Preserve(p, before); err != nil || !changed {
		t.Fatalf("Preserve = %v, %v", changed, err)
	}
	if err := runCmds(db, p); err != nil {
		t.Fatal(err)
	}
	if after := mustObjects(t, db); !reflect.DeepEqual(after, before) {
		t.Fatalf("objects:\n got %q\nwant %q", after, before)
	}
	execAll(t, db, "INSERT INTO `v` (`id`, `name`) VALUES (5, 'e')")
	if got := query(t, db, "SELECT `name` FROM `t` WHERE `id` = 5"); !reflect.DeepEqual(got, []string{"e"}) {
		t.Fatalf("INSTEAD OF trigger did not fire: %q", got)
	}
}

// Object is short for the tests' object literals.
type Object = objects.Object
