package guard

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"strings"

	"github.com/structmigrate/structmigrate/internal/ident"

	"github.com/structmigrate/structmigrate/internal/sqlitedb"
)

// The guard on PostgreSQL. There is no authorizer to say which tables a
// statement writes, so a PGUnit digests every user table before the
// file's first statement (in the file's transaction, so the state the
// file begins on) and again after its last, and compares them by the
// shared rule (compare.go). Tables are followed by oid, so a renamed table
// is its own successor. After each statement a catalog fingerprint per
// table (name, columns, storage file, this transaction's tuple counts)
// tells which statements wrote it, for the `-- atlas:nolint` declarations.
//
// Values are compared by their text (value::text): int → bigint or a
// wider varchar keeps every value's text and is not a loss.

// pgSeed keys every hash of the process (hashtextextended's seed), so a
// file cannot compute values that cancel a change in a column's sum.
var pgSeed = func() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return int64(binary.LittleEndian.Uint64(b[:]))
}()

// goSeed keys the detail pass's hashes of values read into Go.
var goSeed = maphash.MakeSeed()

// PGUnit measures one file on PostgreSQL; see above.
type PGUnit struct {
	xact    string            // the transaction's id: a statement must not end it
	fp0     map[uint32]string // fingerprints at Begin; nil: not to be trusted (track_counts off)
	reader  *pgReader         // digesting the state before in parallel; nil: done on q
	u       *Unit             // the shared comparison, over the PostgreSQL backend
	before  map[uint32]*table
	fp      map[uint32]string
	writers map[string][]string // table (as named before) → statements
}

// BeginPG digests every user table on q, the file's open transaction.
// o.Detail names the tables (by name) to read value by value.
func BeginPG(ctx context.Context, q Queryer, o Options) (*PGUnit, error) {
	p := &PGUnit{u: &Unit{o: o, q: q, be: pgBackend{}}, before: map[uint32]*table{}, writers: map[string][]string{}}
	ts, err := pgTables(ctx, q)
	if err != nil {
		return nil, err
	}
	list := make([]*table, 0, len(ts))
	for oid, t := range ts {
		if err := pgReadTable(ctx, q, oid, t); err != nil {
			return nil, err
		}
		p.before[oid] = t
		list = append(list, t)
	}
	if o.Reader != nil {
		p.reader = startPGReader(ctx, q, o.Reader, list, o.Detail)
	}
	if p.reader == nil {
		if err := p.digestAll(ctx, list); err != nil {
			return nil, err
		}
	}
	if p.fp, err = p.fingerprints(ctx); err != nil {
		return nil, err
	}
	if p.xact, err = pgXact(ctx, q); err != nil {
		return nil, err
	}
	trusted, err := countersTrusted(ctx, q)
	if err != nil {
		return nil, err
	}
	if trusted {
		p.fp0 = p.fp
	}
	return p, nil
}

// countersTrusted reports whether the transaction's row counters count
// every row the file writes: track_counts is on and the user cannot turn
// it off (a superuser's file could, and then delete rows uncounted).
func countersTrusted(ctx context.Context, q Queryer) (bool, error) {
	counts, err := pgSetting(ctx, q, "track_counts")
	if err != nil || counts != "on" {
		return false, err
	}
	v, err := pgSetting(ctx, q, "server_version_num")
	if err != nil {
		return false, err
	}
	query := "SELECT NOT rolsuper FROM pg_roles WHERE rolname = current_user"
	if n, _ := strconv.Atoi(v); n >= 150000 {
		// GRANT SET ON PARAMETER can give it to others.
		query = "SELECT NOT has_parameter_privilege('track_counts', 'SET')"
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var ok bool
	if rows.Next() {
		err = rows.Scan(&ok)
	}
	return ok, errors.Join(err, rows.Err())
}

// digestAll measures ts on the file's transaction, as it is now.
func (p *PGUnit) digestAll(ctx context.Context, ts []*table) error {
	q := p.u.q
	restore, err := pinRendering(ctx, q)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if err := (pgBackend{}).digest(ctx, q, t, t.Key); err != nil {
			return err
		}
		if p.u.o.Detail[t.Name] && len(t.Cols) > 0 {
			if t.Records, err = (pgBackend{}).collectRows(ctx, q, t, t.Key, t.names()); err != nil {
				return err
			}
		}
	}
	return restore()
}

func pgSetting(ctx context.Context, q Queryer, name string) (string, error) {
	rows, err := q.QueryContext(ctx, "SELECT current_setting($1)", name)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var v string
	if rows.Next() {
		err = rows.Scan(&v)
	}
	return v, errors.Join(err, rows.Err())
}

// pgXact returns the id of q's transaction (assigning one).
func pgXact(ctx context.Context, q Queryer) (string, error) {
	rows, err := q.QueryContext(ctx, "SELECT pg_current_xact_id()::text")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var id string
	if rows.Next() {
		err = rows.Scan(&id)
	}
	return id, errors.Join(err, rows.Err())
}

// pgTxVerbs are the statements that end or open a transaction block at
// the top level (a procedure or DO block cannot end the file's
// transaction: PostgreSQL refuses that inside a transaction block).
var pgTxVerbs = map[string]bool{"BEGIN": true, "START": true, "COMMIT": true, "END": true, "ROLLBACK": true, "ABORT": true, "PREPARE": true}

// txVerb returns stmt's first keyword when it is one of pgTxVerbs
// (PREPARE only as PREPARE TRANSACTION).
func txVerb(stmt string) string {
	s := stmt
	for {
		s = strings.TrimLeft(s, " \t\r\n\f")
		switch {
		case strings.HasPrefix(s, "--"):
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[i+1:]
				continue
			}
			return ""
		case strings.HasPrefix(s, "/*"):
			if i := strings.Index(s, "*/"); i >= 0 {
				s = s[i+2:]
				continue
			}
			return ""
		}
		break
	}
	fields := strings.Fields(strings.ToUpper(s))
	if len(fields) == 0 {
		return ""
	}
	v := strings.TrimRight(fields[0], ";")
	if v == "PREPARE" && (len(fields) < 2 || !strings.HasPrefix(fields[1], "TRANSACTION")) {
		return ""
	}
	if pgTxVerbs[v] {
		return v
	}
	return ""
}

// Exec runs one statement of the file (run executes it) and records it as
// a writer of every table whose fingerprint it changed.
func (p *PGUnit) Exec(ctx context.Context, stmt string, run func() error) error {
	if v := txVerb(stmt); v != "" {
		return &TxControlError{Verb: v}
	}
	if err := run(); err != nil {
		return err
	}
	// What the verbs miss (none known): the file must still run in its
	// own transaction, else stop before anything else runs outside it.
	if x, err := pgXact(ctx, p.u.q); err != nil || x != p.xact {
		return errors.Join(fmt.Errorf("%s: the statement ended the file's transaction", p.u.o.Name), err)
	}
	fp, err := p.fingerprints(ctx)
	if err != nil {
		return err
	}
	for oid, b := range p.before { // not key 0: no table's
		if fp[oid] != p.fp[oid] {
			p.writers[b.Name] = append(p.writers[b.Name], stmt)
		}
	}
	p.fp = fp
	return nil
}

// Close stops the reader of a unit that does not reach End (a statement
// failed); a no-op otherwise.
func (p *PGUnit) Close() {
	if p.reader != nil {
		p.reader.stop()
	}
}

// Writers returns the statements that wrote table (named as before the
// file).
func (p *PGUnit) Writers(table string) []string { return p.writers[table] }

// End digests every table that existed before again, as its successor
// (the same oid, else the same name) is now, and compares.
func (p *PGUnit) End(ctx context.Context) (*Result, error) {
	if p.reader != nil {
		if err := p.reader.wait(); err != nil {
			return nil, err
		}
	}
	// Left pinned: nothing of the file runs after End.
	if _, err := pinRendering(ctx, p.u.q); err != nil {
		return nil, err
	}
	now, err := pgTables(ctx, p.u.q)
	if err != nil {
		return nil, err
	}
	byName := map[string]uint32{}
	for oid, t := range now {
		byName[t.Name] = oid
	}
	fp, err := p.fingerprints(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Suspects: map[string]bool{}}
	for _, oid := range sortedOids(p.before) {
		b := p.before[oid]
		if f, ok := fp[oid]; ok && p.fp0 != nil && f == p.fp0[oid] && fp[0] == p.fp0[0] {
			// Not rewritten, no column changed, and this transaction
			// inserted, updated and deleted no row of it: its values are
			// as they were (a second scan is spared).
			continue
		}
		succ, ok := now[oid]
		if !ok {
			if o, named := byName[b.Name]; named {
				succ, ok = now[o], true
			}
		}
		if !ok {
			if b.Digest.Rows > 0 {
				res.Losses = append(res.Losses, Loss{Kind: TableDropped, Table: b.Name, Count: b.Digest.Rows, Where: p.u.o.Name, Example: firstKey(b)})
			}
			continue
		}
		if err := pgReadTable(ctx, p.u.q, oid, succ); err != nil {
			return nil, err
		}
		if succ == now[oid] {
			keepNames(b, succ)
		}
		pr, err := pairUp(ctx, pgBackend{}, p.u.q, b, succ)
		if err != nil {
			return nil, err
		}
		if sameData(pr) {
			continue
		}
		if !p.u.o.Detail[b.Name] {
			res.Suspects[b.Name] = true
			continue
		}
		losses, err := p.u.compare(ctx, pr)
		if err != nil {
			return nil, err
		}
		res.Losses = append(res.Losses, losses...)
	}
	return res, nil
}

// keepNames names the columns of t (the same table as b, by oid) that a
// statement renamed by their names in b, found by attnum: the catalog's
// identity of a column, which a rename keeps. The comparison then follows
// them as the same column; SQL uses their names now.
func keepNames(b, t *table) {
	for j := range t.Cols {
		c := &t.Cols[j]
		for _, bc := range b.Cols {
			if bc.attnum == c.attnum && bc.Name != c.Name && t.index(bc.Name) < 0 {
				c.now, c.Name = c.Name, bc.Name
			}
		}
	}
	for i, k := range t.Key {
		for _, c := range t.Cols {
			if c.now == k {
				t.Key[i] = c.Name
			}
		}
	}
}

// sqlName returns the name of t's column name in the database now.
func sqlName(t *table, name string) string {
	if i := t.index(name); i >= 0 && t.Cols[i].now != "" {
		return ident.QuotePG(t.Cols[i].now)
	}
	return ident.QuotePG(name)
}

func sortedOids(m map[uint32]*table) []uint32 {
	out := make([]uint32, 0, len(m))
	for o := range m {
		out = append(out, o)
	}
	// By name, so that losses are reported in a stable order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && m[out[j]].Name < m[out[j-1]].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// pgUserTables selects the tables that hold user data: plain tables and
// partitions outside the system schemas and the revisions table's schema
// (the history is not data a migration keeps).
const pgUserTables = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'atlas_schema_revisions') AND n.nspname NOT LIKE 'pg\_%'`

// pgTables lists the user tables by oid, each named by its name (in the
// current schema) or schema.name, with its quoted qualified name.
func pgTables(ctx context.Context, q Queryer) (map[uint32]*table, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.oid::bigint, CASE WHEN n.nspname = current_schema() THEN c.relname ELSE n.nspname || '.' || c.relname END, quote_ident(n.nspname) || '.' || quote_ident(c.relname) `+pgUserTables)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ts := map[uint32]*table{}
	for rows.Next() {
		var oid int64
		t := &table{exact: true}
		if err := rows.Scan(&oid, &t.Name, &t.from); err != nil {
			return nil, err
		}
		ts[uint32(oid)] = t
	}
	return ts, rows.Err()
}

// pgReadTable reads t's stored columns (not generated ones) and primary key.
func pgReadTable(ctx context.Context, q Queryer, oid uint32, t *table) error {
	rows, err := q.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
	coalesce(array_position(string_to_array(i.indkey::text, ' ')::int2[], a.attnum), 0), -- int2vector counts from 0
	a.attnum
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attnum`, int64(oid))
	if err != nil {
		return fmt.Errorf("measure table %q: %w", t.Name, err)
	}
	defer rows.Close()
	t.Cols, t.Key = nil, nil
	keys := map[int]string{}
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Name, &c.Type, &c.NotNull, &c.Default, &c.PK, &c.attnum); err != nil {
			return err
		}
		if c.PK > 0 {
			keys[c.PK] = c.Name
		}
		t.Cols = append(t.Cols, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := 1; i <= len(keys); i++ {
		t.Key = append(t.Key, keys[i])
	}
	return nil
}

// fingerprints returns, per table that existed before, what changes when a
// statement writes it: its name, columns and types, its storage file (a
// rewrite or TRUNCATE makes a new one), the rows this transaction
// inserted, updated and deleted, and the labels of the enums its columns
// hold (directly, as an array or a domain): renaming one (ALTER TYPE …
// RENAME VALUE) changes the rows holding it without writing them. A table
// gone has none. Under the key 0, every enum's labels: an enum reached
// otherwise (a domain over a domain, a composite) changes that alone, and
// End then measures every table rather than trust the fingerprints.
func (p *PGUnit) fingerprints(ctx context.Context) (map[uint32]string, error) {
	if len(p.before) == 0 {
		return nil, nil
	}
	oids := make([]string, 0, len(p.before))
	for o := range p.before {
		oids = append(oids, strconv.FormatUint(uint64(o), 10))
	}
	rows, err := p.u.q.QueryContext(ctx, `SELECT c.oid::bigint, concat_ws('/', c.relname, c.relnamespace, c.relfilenode,
	pg_stat_get_xact_tuples_inserted(c.oid), pg_stat_get_xact_tuples_updated(c.oid), pg_stat_get_xact_tuples_deleted(c.oid),
	(SELECT string_agg(concat_ws(':', attnum, attname, atttypid, atttypmod, attisdropped, attnotnull), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0),
	(SELECT md5(string_agg(e.oid::text || ':' || e.enumlabel, ',' ORDER BY a.attnum, e.oid)) FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
		JOIN pg_enum e ON e.enumtypid IN (ty.oid, ty.typelem, ty.typbasetype) WHERE a.attrelid = c.oid AND a.attnum > 0))
FROM pg_class c WHERE c.oid IN (`+strings.Join(oids, ", ")+`)
UNION ALL SELECT 0, md5(coalesce(string_agg(oid::text || ':' || enumlabel, ',' ORDER BY oid), '')) FROM pg_enum`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fp := map[uint32]string{}
	for rows.Next() {
		var oid int64
		var s string
		if err := rows.Scan(&oid, &s); err != nil {
			return nil, err
		}
		fp[uint32(oid)] = s
	}
	return fp, rows.Err()
}

// pgBackend measures with SQL: per column the count of values and sums of
// hashtextextended over (key, value::text) and over value::text alone.
type pgBackend struct{}

// pgRowText renders cols of a row as one text: ROW(…)::text quotes and
// escapes each field, so different tuples render differently.
func pgRowText(t *table, cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = pgText(t, c)
	}
	return "ROW(" + strings.Join(parts, ", ") + ")::text"
}

// pgRendering are the settings that decide a value's text: the guard
// pins them while it measures, so that a file that changes them (SET
// extra_float_digits = -15 would round away a changed float) changes no
// digest, and the scans before and after render alike.
var pgRendering = [][2]string{
	{"extra_float_digits", "1"}, // every float's shortest exact text
	{"DateStyle", "ISO, MDY"},
	{"IntervalStyle", "postgres"},
	{"TimeZone", "UTC"},
	{"bytea_output", "hex"},
}

// pinRendering sets pgRendering on q's transaction; restore puts back
// what was set before (the file's statements run with the session's own).
func pinRendering(ctx context.Context, q Queryer) (restore func() error, err error) {
	old := make([]string, len(pgRendering))
	for i, s := range pgRendering {
		if old[i], err = pgSetting(ctx, q, s[0]); err != nil {
			return nil, err
		}
		if _, err := q.ExecContext(ctx, "SELECT set_config($1, $2, true)", s[0], s[1]); err != nil {
			return nil, err
		}
	}
	return func() error {
		for i, s := range pgRendering {
			if _, err := q.ExecContext(ctx, "SELECT set_config($1, $2, true)", s[0], old[i]); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// pgText is column c's value as text to hash: its bytes (COLLATE "C"),
// since hashtextextended under a nondeterministic collation hashes 'Ann'
// and 'ANN' alike.
func pgText(t *table, c string) string {
	return "(" + sqlName(t, c) + `::text COLLATE "C")`
}

// mod64 folds a numeric sum into 0 ≤ s < 2^64.
func mod64(sum string) string {
	const m = "18446744073709551616"
	return "((coalesce(" + sum + ", 0) % " + m + " + " + m + ") % " + m + ")::text"
}

func (pgBackend) digest(ctx context.Context, q Queryer, t *table, key []string) error {
	for _, k := range key {
		if t.index(k) < 0 {
			return fmt.Errorf("measure table %q: key column %q is not stored", t.Name, k)
		}
	}
	rowKey := pgRowText(t, key)
	if key == nil {
		rowKey = pgRowText(t, t.names())
	}
	sel := []string{"count(*)"}
	for _, c := range t.names() {
		v := pgText(t, c)
		sel = append(sel, "count("+sqlName(t, c)+")",
			mod64("sum(hashtextextended("+rowKey+" || chr(1) || "+v+", $1))"),
			mod64("sum(hashtextextended("+v+", $1))"))
	}
	rows, err := q.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+t.from, pgSeed)
	if err != nil {
		return fmt.Errorf("measure table %q: %w", t.Name, err)
	}
	defer rows.Close()
	n := len(t.Cols)
	d := &sqlitedb.Digest{Sum: make([]uint64, n), Unkeyed: make([]uint64, n), NonNull: make([]int64, n)}
	sums := make([]string, 2*n)
	dest := []any{&d.Rows}
	for i := 0; i < n; i++ {
		dest = append(dest, &d.NonNull[i], &sums[2*i], &sums[2*i+1])
	}
	if !rows.Next() {
		return fmt.Errorf("measure table %q: no result (%v)", t.Name, rows.Err())
	}
	if err := rows.Scan(dest...); err != nil {
		return fmt.Errorf("measure table %q: %w", t.Name, err)
	}
	for i := 0; i < n; i++ {
		if d.Sum[i], err = strconv.ParseUint(sums[2*i], 10, 64); err != nil {
			return err
		}
		if d.Unkeyed[i], err = strconv.ParseUint(sums[2*i+1], 10, 64); err != nil {
			return err
		}
	}
	t.Digest, t.DKey = d, key
	return rows.Err()
}

func (pgBackend) collectRows(ctx context.Context, q Queryer, t *table, key, cols []string) ([][]sqlitedb.Record, error) {
	sel := make([]string, 0, len(key)+len(cols))
	for _, c := range append(append([]string{}, key...), cols...) {
		sel = append(sel, sqlName(t, c)+"::text")
	}
	rows, err := q.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+t.from)
	if err != nil {
		return nil, fmt.Errorf("measure table %q: %w", t.Name, err)
	}
	defer rows.Close()
	out := make([][]sqlitedb.Record, len(cols))
	vals := make([]sql.NullString, len(sel))
	dest := make([]any, len(sel))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var kh maphash.Hash
		kh.SetSeed(goSeed)
		var null bool
		var kq []string
		for i, k := range key {
			v := vals[i]
			null = null || !v.Valid
			kh.WriteString(strconv.Quote(v.String))
			kh.WriteByte(0)
			kq = append(kq, k+"="+pgQuoted(v))
		}
		for i := range cols {
			r := pgRecord(vals[len(key)+i])
			r.Key, r.KeyNull = kh.Sum64(), null
			if i == 0 {
				r.KeyQ = strings.Join(kq, ", ")
			}
			out[i] = append(out[i], r)
		}
	}
	return out, rows.Err()
}

// pgRecord is a value as the shared comparison sees it: by its text,
// and a number's also by its value, so that the rule that keeps SQLite's
// 2 → 2.0 keeps PostgreSQL's int 5 → numeric(10,2) 5.00 (the same number,
// exactly); other texts that differ are losses.
func pgRecord(v sql.NullString) sqlitedb.Record {
	if !v.Valid {
		return sqlitedb.Record{Class: sqlitedb.ClassNull, Quoted: "NULL"}
	}
	h := maphash.String(goSeed, v.String)
	r := sqlitedb.Record{Class: sqlitedb.ClassText, Hash: h, Text: h, Quoted: pgQuoted(v)}
	if n, err := strconv.ParseInt(v.String, 10, 64); err == nil {
		r.Class, r.Num = sqlitedb.ClassInteger, uint64(n)
	} else if f, err := strconv.ParseFloat(v.String, 64); err == nil && pgNumeric(v.String) {
		r.Class, r.Num = sqlitedb.ClassFloat, math.Float64bits(f)
	}
	return r
}

// pgNumeric reports whether s is a plain decimal (digits, a sign, a point):
// not NaN or Infinity, which ParseFloat also reads.
func pgNumeric(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	return true
}

// pgQuoted renders a value as a SQL literal for messages, shortened.
func pgQuoted(v sql.NullString) string {
	if !v.Valid {
		return "NULL"
	}
	s := v.String
	if r := []rune(s); len(r) > 58 {
		s = string(r[:58])
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// defaultValue evaluates a DEFAULT expression in a savepoint (an error
// would abort the file's transaction). One that may change state
// (nextval) is not evaluated: no default, so every value counts.
func (pgBackend) defaultValue(ctx context.Context, q Queryer, expr string) (*sqlitedb.Record, error) {
	if strings.Contains(strings.ToLower(expr), "nextval(") {
		return nil, fmt.Errorf("default %s: not evaluated", expr)
	}
	if _, err := q.ExecContext(ctx, "SAVEPOINT sm_guard_default"); err != nil {
		return nil, err
	}
	var v sql.NullString
	rows, err := q.QueryContext(ctx, "SELECT ("+expr+")::text")
	if err == nil {
		if rows.Next() {
			err = rows.Scan(&v)
		}
		if err2 := rows.Close(); err == nil {
			err = err2
		}
	}
	if err != nil {
		if _, err2 := q.ExecContext(ctx, "ROLLBACK TO sm_guard_default"); err2 != nil {
			return nil, err2
		}
	}
	if _, err2 := q.ExecContext(ctx, "RELEASE sm_guard_default"); err2 != nil {
		return nil, err2
	}
	if err != nil {
		return nil, err
	}
	r := pgRecord(v)
	return &r, nil
}
