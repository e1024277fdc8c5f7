package guard

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"sort"
	"sync"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/ident"
	"github.com/structmigrate/structmigrate/internal/migdir"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// Options configure a Unit.
type Options struct {
	DB   *sql.DB // the database the transaction belongs to (opened by sqlitedb)
	Name string  // the unit in messages, e.g. the file's path
	// Detail lists the tables (ident.Fold) to compare value by value: the
	// suspects of a first run. Nil compares digests only.
	Detail map[string]bool
	// Reader, when set, is a second (read-only) connection to the same
	// file, used to measure the state before in parallel (see reader).
	// Only for a unit that begins on committed state. On PostgreSQL
	// (BeginPG) it is the pool to take that connection from (pgReader).
	Reader *sql.DB
}

// Unit measures one file or rollback step; see the package comment.
type Unit struct {
	o           Options
	q           Queryer
	existed     map[string]string   // lower → name, when the unit began
	start       map[string][]column // columns when the unit began, where an ALTER added some since
	before      map[string]*table
	writers     map[string][]string // lower table → statements that wrote it
	made        map[string][]string // the same for tables the unit created
	copies      map[string][]string // made table → tables that existed that its writers read
	renamed     map[string]string   // lower table → the name an ALTER TABLE gave it
	seq         map[string]sequence // sqlite_sequence when the unit began
	gone        map[string]bool     // tables the unit created that are gone at End
	fk          bool
	children    map[string][]string
	reader      *reader
	readerTried bool       // the reader was started (or failed to start) once
	mu          sync.Mutex // guards before while a reader fills it
	be          backend    // nil: SQLite
}

// Begin starts a unit on q, the open transaction (or an autocommit
// connection when every statement is measured on its own, see Stmt).
func Begin(ctx context.Context, q Queryer, o Options) (*Unit, error) {
	ex, err := tables(ctx, q)
	if err != nil {
		return nil, err
	}
	u := &Unit{o: o, q: q, existed: ex, start: map[string][]column{}, before: map[string]*table{}, writers: map[string][]string{}, made: map[string][]string{}, copies: map[string][]string{}, renamed: map[string]string{}, gone: map[string]bool{}}
	if u.seq, err = sequences(ctx, q); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "PRAGMA foreign_keys")
	if err != nil {
		return nil, err
	}
	if rows.Next() {
		err = rows.Scan(&u.fk)
	}
	rows.Close()
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Prefetch starts measuring, on the reader, the tables the statements may
// change, as far as they compile now (later statements may need tables
// earlier ones make; Exec checks each statement again when it runs).
func (u *Unit) Prefetch(ctx context.Context, f migrate.File) {
	if !u.pinReader(ctx) {
		return
	}
	defer u.reader.unpin()
	stmts, err := migdir.StmtDecls(f)
	if err != nil {
		return
	}
	for _, st := range stmts {
		ws, err := sqlitedb.Writes(u.o.DB, st.Text)
		if err != nil {
			continue
		}
		for _, w := range ws {
			l := ident.Fold(w.Table)
			if _, ok := u.existed[l]; ok && w.Action != "create" && w.Action != "alter" {
				u.measure(ctx, l)
			}
		}
	}
}

// Exec runs one statement (run executes it), first measuring every table
// that existed when the unit began and that the statement may change.
func (u *Unit) Exec(ctx context.Context, stmt string, run0 func() error) error {
	run := func() error {
		defer sqlitedb.DenyTxControl(u.o.DB)()
		return run0()
	}
	ws, reads, err := sqlitedb.Access(u.o.DB, stmt)
	if err == nil {
		for _, w := range ws {
			if w.Action == "transaction" {
				return &TxControlError{Verb: w.Table}
			}
		}
		var all bool
		if all, err = u.editsSchema(ctx, ws); all {
			err = errors.New("writes the schema table")
		}
	}
	if err != nil {
		// It does not compile on its own (a later statement of the text
		// needs what an earlier one makes), or it edits sqlite_schema:
		// measure everything not measured yet, then let it run or fail as
		// itself.
		if err := u.measureAll(ctx, slices.Collect(maps.Keys(u.existed))); err != nil {
			return err
		}
		return run()
	}
	var at, altered []string
	alters := true
	for _, w := range ws {
		l := ident.Fold(w.Table)
		if w.Action == "alter" {
			altered = append(altered, l)
		}
		if _, ok := u.existed[l]; !ok {
			if !slices.Contains(u.made[l], stmt) {
				u.made[l] = append(u.made[l], stmt)
			}
			u.copied(l, reads)
			continue // made by this unit: nothing stored before it
		}
		if w.Action == "create" {
			continue
		}
		if !slices.Contains(u.writers[l], stmt) {
			u.writers[l] = append(u.writers[l], stmt)
		}
		if u.measured(l) || slices.Contains(at, l) {
			continue
		}
		at = append(at, l)
		if w.Action != "alter" {
			alters = false
		}
		if u.fk && w.Action != "insert" {
			// Enforced foreign keys cascade deletes and updates to children.
			kids, err := u.descendants(ctx, l)
			if err != nil {
				return err
			}
			for _, k := range kids {
				if !u.measured(k) && !slices.Contains(at, k) {
					at = append(at, k)
					alters = false
				}
			}
		}
	}
	if len(altered) > 0 {
		run = u.renames(ctx, altered, run)
	}
	if alters && len(at) == 1 {
		return u.alter(ctx, at[0], run)
	}
	if err := u.measureAll(ctx, at); err != nil {
		return err
	}
	return run()
}

// measureAll measures tables ls, all on the reader while it is there (it
// is pinned until all are queued, and released before the statement runs).
func (u *Unit) measureAll(ctx context.Context, ls []string) error {
	if len(ls) == 0 {
		return nil
	}
	if u.pinReader(ctx) {
		defer u.reader.unpin()
	}
	for _, l := range ls {
		if err := u.measure(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

// alter runs an ALTER TABLE; one that only adds columns changes no stored
// value and is left unmeasured (adding a column stays constant-time). Any
// other (rename, drop column) is undone, the table measured, and run again.
func (u *Unit) alter(ctx context.Context, l string, run func() error) error {
	t0, err := readTable(ctx, u.q, u.existed[l])
	if err != nil {
		return err
	}
	if u.pinReader(ctx) {
		// The pinned reader sees the state before: run, then look.
		defer u.reader.unpin()
		if err := run(); err != nil {
			return err
		}
		t1, err := u.current(ctx, l)
		if err != nil {
			return err
		}
		if t1 != nil && addsOnly(t0.Cols, t1.Cols) {
			// The reader may be gone by the time a later statement writes
			// l: the writer then measures it without the added columns.
			u.started(l, t0.Cols)
			return nil
		}
		return u.measure(ctx, l)
	}
	if _, err := u.q.ExecContext(ctx, "SAVEPOINT sm_guard_alter"); err != nil {
		return err
	}
	undo := func() error {
		_, err := u.q.ExecContext(ctx, "ROLLBACK TO sm_guard_alter; RELEASE sm_guard_alter")
		return err
	}
	if err := run(); err != nil {
		return errors.Join(err, undo())
	}
	now, err := tables(ctx, u.q)
	if err != nil {
		return errors.Join(err, undo())
	}
	if name, ok := now[l]; ok {
		t1, err := readTable(ctx, u.q, name)
		if err != nil {
			return errors.Join(err, undo())
		}
		if addsOnly(t0.Cols, t1.Cols) {
			u.started(l, t0.Cols)
			_, err := u.q.ExecContext(ctx, "RELEASE sm_guard_alter")
			return err
		}
	}
	if err := undo(); err != nil {
		return err
	}
	if err := u.measure(ctx, l); err != nil {
		return err
	}
	return run()
}

// started records cols as table l's columns when the unit began, before
// an ALTER added some (the first such ALTER knows them).
func (u *Unit) started(l string, cols []column) {
	if _, ok := u.start[l]; !ok {
		u.start[l] = cols
	}
}

// editsSchema reports whether ws write sqlite_schema directly: only
// possible under PRAGMA writable_schema, and then any table may change
// (or vanish). DDL writes it too, but never with writable_schema on.
func (u *Unit) editsSchema(ctx context.Context, ws []sqlitedb.Write) (bool, error) {
	for _, w := range ws {
		switch ident.Fold(w.Table) {
		case "sqlite_master", "sqlite_schema":
			rows, err := u.q.QueryContext(ctx, "PRAGMA writable_schema")
			if err != nil {
				return false, err
			}
			defer rows.Close()
			var on bool
			if rows.Next() {
				err = rows.Scan(&on)
			}
			return on, errors.Join(err, rows.Err())
		}
	}
	return false, nil
}

// current reads table l as it is now; nil when it is gone.
func (u *Unit) current(ctx context.Context, l string) (*table, error) {
	now, err := tables(ctx, u.q)
	if err != nil {
		return nil, err
	}
	name, ok := now[l]
	if !ok {
		return nil, nil
	}
	return readTable(ctx, u.q, name)
}

func addsOnly(before, after []column) bool {
	if len(after) < len(before) {
		return false
	}
	for i, c := range before {
		if !c.same(after[i]) {
			return false
		}
	}
	return true
}

// measure digests table l (and, in a detail run, reads its values) as it
// is before this unit changes it.
func (u *Unit) measure(ctx context.Context, l string) error {
	if u.measured(l) {
		return nil
	}
	if u.pinReader(ctx) {
		defer u.reader.unpin()
		u.reader.measure(l, func(q Queryer) error { return u.read(ctx, q, l) })
		return nil
	}
	return u.read(ctx, u.q, l)
}

// pinReader pins the reader, starting it the first time; false when there
// is none (any more): then the writer measures. Started later than the
// unit's first statement, it may find the writer holding the file
// (spilled, see SpillWithoutWaiting): it does not wait, and there is none.
func (u *Unit) pinReader(ctx context.Context) bool {
	if u.reader != nil {
		return u.reader.pin()
	}
	if u.o.Reader == nil || u.readerTried {
		return false
	}
	u.readerTried = true
	r, err := startReader(ctx, u.o.Reader)
	if err != nil {
		return false
	}
	u.reader = r
	return true
}

func (u *Unit) measured(l string) bool {
	if u.reader != nil && u.reader.queued(l) {
		return true
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.before[l] != nil
}

// read digests table l on q (and, in a detail run, reads its values).
func (u *Unit) read(ctx context.Context, q Queryer, l string) error {
	t, err := readTable(ctx, q, u.existed[l])
	if err != nil {
		return err
	}
	if q == u.q { // start is the writer's: not read on the reader's goroutine
		if cols, ok := u.start[l]; ok {
			t.Cols = cols // columns an earlier ALTER added held nothing before the unit
		}
	}
	if err := t.digest(ctx, q, t.Key); err != nil {
		return err
	}
	if u.o.Detail[l] && len(t.Cols) > 0 {
		if t.Records, err = collectRows(ctx, q, t.Name, t.Key, t.names()); err != nil {
			return err
		}
	}
	u.mu.Lock()
	u.before[l] = t
	u.mu.Unlock()
	return nil
}

// descendants returns the tables whose foreign keys reach l, transitively.
func (u *Unit) descendants(ctx context.Context, l string) ([]string, error) {
	if u.children == nil {
		u.children = map[string][]string{}
		for cl, name := range u.existed {
			rows, err := u.q.QueryContext(ctx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?, 'main')`, name)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					rows.Close()
					return nil, err
				}
				pl := ident.Fold(p)
				u.children[pl] = append(u.children[pl], cl)
			}
			rows.Close()
		}
	}
	var out []string
	queue := []string{l}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range u.children[p] {
			if c != l && !slices.Contains(out, c) {
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Close ends the reader's transaction of a unit that did not reach End
// (its statement failed); a no-op otherwise.
func (u *Unit) Close(ctx context.Context) {
	if u.reader != nil {
		u.reader.finish()
		u.reader = nil
	}
}

// Writers returns the statements of the unit that wrote table (as named
// before the unit), to read their `-- atlas:nolint` directives. A table
// copy's statements count too: those that made and filled a table from
// this one (the authorizer saw a statement write it and read this table),
// where that copy is gone by the end (Atlas's new_<table>, renamed over
// the original).
func (u *Unit) Writers(table string) []string {
	l := ident.Fold(table)
	out := slices.Concat(u.writers[l], u.made[l]) // made: sqlite_sequence
	for m, stmts := range u.made {
		if u.gone[m] && slices.Contains(u.copies[m], l) {
			for _, st := range stmts {
				if !slices.Contains(out, st) {
					out = append(out, st)
				}
			}
		}
	}
	return out
}

// Result is what End found.
type Result struct {
	// Suspects are tables whose digests differ: run the unit again with
	// Options.Detail set to them to learn whether (and what) they lost.
	Suspects map[string]bool
	Losses   []Loss
}

// SettleSuspects ends a detail run (Options.Detail set): a table whose
// digests still differ, though no value was found lost, changed between
// the two runs and is reported as measured (ValuesChanged at where).
func (r *Result) SettleSuspects(where string) {
	for _, t := range slices.Sorted(maps.Keys(r.Suspects)) {
		r.Losses = append(r.Losses, Loss{Kind: ValuesChanged, Table: t, Where: where})
	}
}

// End measures what became of every measured table and compares.
func (u *Unit) End(ctx context.Context) (*Result, error) {
	if u.reader != nil {
		err := u.reader.finish()
		u.reader = nil
		if err != nil {
			return nil, err
		}
	}
	now, err := tables(ctx, u.q)
	if err != nil {
		return nil, err
	}
	for m := range u.made {
		if _, ok := now[m]; !ok {
			u.gone[m] = true
		}
	}
	res := &Result{Suspects: map[string]bool{}}
	fresh := map[string]*table{} // tables the unit made, digested when a table vanished
	ls := make([]string, 0, len(u.before))
	for l := range u.before {
		ls = append(ls, l)
	}
	sort.Strings(ls)
	for _, l := range ls {
		b := u.before[l]
		var succ *table
		if name, ok := u.successor(l, now); ok {
			if succ, err = readTable(ctx, u.q, name); err != nil {
				return nil, err
			}
		} else if succ, err = u.movedTo(ctx, b, now, fresh); err != nil {
			return nil, err
		}
		if succ == nil {
			if b.Digest.Rows > 0 {
				res.Losses = append(res.Losses, Loss{Kind: TableDropped, Table: b.Name, Count: b.Digest.Rows, Where: u.o.Name, Example: firstKey(b)})
			}
			continue
		}
		p, err := pairUp(ctx, u.engine(), u.q, b, succ)
		if err != nil {
			return nil, err
		}
		if sameData(p) {
			continue
		}
		if !u.o.Detail[l] {
			res.Suspects[l] = true
			continue
		}
		losses, err := u.compare(ctx, p)
		if err != nil {
			return nil, err
		}
		res.Losses = append(res.Losses, losses...)
	}
	seq, err := u.lostSequences(ctx, now)
	if err != nil {
		return nil, err
	}
	res.Losses = append(res.Losses, seq...)
	return res, nil
}

// copied records that the statement writing made table m read the tables
// in reads: where they existed, m holds a copy of their rows.
func (u *Unit) copied(m string, reads []string) {
	for _, r := range reads {
		rl := ident.Fold(r)
		if _, ok := u.existed[rl]; ok && rl != m && !slices.Contains(u.copies[m], rl) {
			u.copies[m] = append(u.copies[m], rl)
		}
	}
}

// renames wraps run, a statement that alters the tables altered, to record
// where an ALTER TABLE … RENAME moved one: the one name that appeared as
// its own vanished (measured on the schema, not read from the SQL).
func (u *Unit) renames(ctx context.Context, altered []string, run func() error) func() error {
	return func() error {
		prior, err := tables(ctx, u.q)
		if err != nil {
			return err
		}
		if err := run(); err != nil {
			return err
		}
		now, err := tables(ctx, u.q)
		if err != nil {
			return err
		}
		var added []string
		for l := range now {
			if _, ok := prior[l]; !ok {
				added = append(added, l)
			}
		}
		for _, l := range altered {
			if _, ok := now[l]; !ok && len(added) == 1 {
				u.renamed[l] = added[0]
				delete(u.renamed, added[0]) // that name holds these rows now
			}
		}
		return nil
	}
}

// successor returns the name of the table that holds, at the end, the rows
// table l held: where the unit's renames took them (a table archived as
// t_old keeps its rows there, not in a new empty t), else l itself.
func (u *Unit) successor(l string, now map[string]string) (string, bool) {
	cur, seen := l, map[string]bool{l: true}
	for {
		next, ok := u.renamed[cur]
		if !ok || seen[next] {
			break
		}
		cur, seen[next] = next, true
	}
	if name, ok := now[cur]; ok {
		return name, true
	}
	name, ok := now[l]
	return name, ok
}

// movedTo finds the table a vanished table was renamed to: one the unit
// made that holds the same values.
func (u *Unit) movedTo(ctx context.Context, b *table, now map[string]string, fresh map[string]*table) (*table, error) {
	for l, name := range now {
		if _, ok := u.existed[l]; ok {
			continue
		}
		t, ok := fresh[l]
		if !ok {
			var err error
			if t, err = readTable(ctx, u.q, name); err != nil {
				return nil, err
			}
			if err := t.digest(ctx, u.q, nil); err != nil {
				return nil, err
			}
			fresh[l] = t
		}
		if t.Digest.Rows == b.Digest.Rows && matches(b, t) > 0 {
			return t, nil
		}
	}
	return nil, nil
}

func firstKey(t *table) string {
	if len(t.Records) > 0 && len(t.Records[0]) > 0 {
		return t.Records[0][0].KeyQ
	}
	return ""
}
