package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlclient"
)

// Foreign keys SQLite cannot enforce. A parent key must be the parent's
// PRIMARY KEY or have a UNIQUE index on exactly its columns (with their
// default collation, not partial); otherwise SQLite does not check the
// constraint at all but fails every use of it with "foreign key mismatch"
// (https://sqlite.org/foreignkeys.html#fk_indexes): any DML on the child
// with foreign keys on, and PRAGMA foreign_key_check as a whole. GORM
// writes such constraints for a belongs-to whose references are not unique,
// and its SQLite connection runs with foreign keys off, so the apps work.
// The check here covers every key SQLite can enforce and skips only those.

// ForeignKey is a foreign key as pragma_foreign_key_list lists it.
type ForeignKey struct {
	Child  string
	ID     int // its id in pragma_foreign_key_list, as foreign_key_check reports it
	Parent string
	From   []string
	To     []string // empty: the parent's primary key
}

func (k ForeignKey) String() string {
	to := "primary key"
	if len(k.To) > 0 {
		to = "(" + strings.Join(k.To, ", ") + ")"
	}
	return fmt.Sprintf("%s (%s) → %s %s", k.Child, strings.Join(k.From, ", "), k.Parent, to)
}

// Why says why SQLite cannot enforce k (for an unenforceable key).
func (k ForeignKey) Why() string {
	if len(k.To) == 0 {
		return fmt.Sprintf("%s has no primary key with %d column(s)", k.Parent, len(k.From))
	}
	return fmt.Sprintf("(%s) is neither the primary key of %s nor covered by a UNIQUE index on exactly these columns, so SQLite reports \"foreign key mismatch\" instead of checking it",
		strings.Join(k.To, ", "), k.Parent)
}

// ViolationError refuses a commit that adds rows violating enforceable
// foreign keys.
type ViolationError struct {
	Keys []KeyViolations
}

// KeyViolations counts the new violating rows of one foreign key.
type KeyViolations struct {
	Key  ForeignKey
	Rows int
}

func (e *ViolationError) Error() string {
	parts := make([]string, len(e.Keys))
	for i, kv := range e.Keys {
		verb := "rows of %s (%s) reference"
		if kv.Rows == 1 {
			verb = "row of %s (%s) references"
		}
		to := ""
		if len(kv.Key.To) > 0 {
			to = " (" + strings.Join(kv.Key.To, ", ") + ")"
		}
		parts[i] = fmt.Sprintf("%d "+verb+" no row of %s%s", kv.Rows, kv.Key.Child, strings.Join(kv.Key.From, ", "), kv.Key.Parent, to)
	}
	return "foreign key violations: " + strings.Join(parts, "; ")
}

// OpenTx is Atlas's sqlite.OpenTx with a foreign-key check that skips the
// keys SQLite cannot enforce: with foreign keys on, it switches them off
// outside the transaction (SQLite ignores the PRAGMA inside one) and
// refuses to commit rows that violate an enforceable key and did not
// before (a *ViolationError).
func OpenTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions) (*sqlclient.Tx, error) {
	var on sql.NullBool
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
		return nil, fmt.Errorf("sqlitedb: querying PRAGMA foreign_keys: %w", err)
	}
	restore := func(err error) error {
		if on.Bool {
			if _, err2 := db.ExecContext(ctx, "PRAGMA foreign_keys = on"); err2 != nil {
				return errors.Join(err, fmt.Errorf("sqlitedb: PRAGMA foreign_keys = on: %w", err2))
			}
		}
		return err
	}
	if on.Bool {
		if _, err := db.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
			return nil, fmt.Errorf("sqlitedb: PRAGMA foreign_keys = off: %w", err)
		}
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, restore(err)
	}
	var before []violation
	if on.Bool {
		if before, err = violations(ctx, tx); err != nil {
			return nil, restore(errors.Join(err, tx.Rollback()))
		}
	}
	return &sqlclient.Tx{
		Tx: tx,
		CommitFn: func() error {
			if on.Bool {
				after, err := violations(ctx, tx)
				if err == nil {
					err = newViolations(ctx, tx, before, after)
				}
				if err != nil {
					return restore(errors.Join(err, tx.Rollback()))
				}
			}
			return restore(tx.Commit())
		},
		RollbackFn: func() error { return restore(rollback(db, tx)) },
	}, nil
}

// rollback ends tx. SQLite may have ended the transaction itself (a full
// disk, an I/O error, see InTransaction); database/sql's ROLLBACK then
// fails with "no transaction is active", which is no failure to roll back.
func rollback(db *sql.DB, tx *sql.Tx) error {
	active, err := InTransaction(db)
	rerr := tx.Rollback()
	if err == nil && !active {
		return nil
	}
	return rerr
}

// violation is a row of PRAGMA foreign_key_check: Atlas's identity of a
// violation (rowid is NULL in a WITHOUT ROWID table).
type violation struct {
	table  string
	row    sql.NullInt64
	parent string
	fk     int
}

// newViolations returns a *ViolationError for the violations in after that
// are not in before, counted per key.
func newViolations(ctx context.Context, q schema.ExecQuerier, before, after []violation) error {
	old := make(map[violation]bool, len(before))
	for _, v := range before {
		old[v] = true
	}
	type key struct {
		table string
		fk    int
	}
	count := map[key]int{}
	var order []key
	for _, v := range after {
		if old[v] {
			continue
		}
		k := key{v.table, v.fk}
		if count[k] == 0 {
			order = append(order, k)
		}
		count[k]++
	}
	if len(order) == 0 {
		return nil
	}
	keys, err := foreignKeys(ctx, q)
	if err != nil {
		return err
	}
	e := &ViolationError{}
	for _, k := range order {
		fk := ForeignKey{Child: k.table, ID: k.fk}
		for _, c := range keys[k.table] {
			if c.ID == k.fk {
				fk = c
			}
		}
		e.Keys = append(e.Keys, KeyViolations{Key: fk, Rows: count[k]})
	}
	return e
}

// violations runs PRAGMA foreign_key_check, as Atlas does; when SQLite
// refuses it for a key it cannot enforce, it checks table by table, and
// in a table holding such a key, each enforceable key by a query.
func violations(ctx context.Context, q schema.ExecQuerier) ([]violation, error) {
	vs, err := fkCheck(ctx, q, "")
	if !isMismatch(err) {
		return vs, err
	}
	keys, err := foreignKeys(ctx, q)
	if err != nil {
		return nil, err
	}
	vs = nil
	for _, child := range sortedKeys(keys) {
		tvs, err := fkCheck(ctx, q, child)
		if isMismatch(err) {
			tvs, err = checkEach(ctx, q, keys[child])
		}
		if err != nil {
			return nil, err
		}
		vs = append(vs, tvs...)
	}
	return vs, nil
}

func isMismatch(err error) bool {
	return err != nil && strings.Contains(err.Error(), "foreign key mismatch")
}

// fkCheck runs PRAGMA foreign_key_check on the whole database ("") or one
// table.
func fkCheck(ctx context.Context, q schema.ExecQuerier, table string) ([]violation, error) {
	query, args := "SELECT `table`, `rowid`, `parent`, `fkid` FROM pragma_foreign_key_check", []any(nil)
	if table != "" {
		query, args = "SELECT `table`, `rowid`, `parent`, `fkid` FROM pragma_foreign_key_check(?)", []any{table}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: PRAGMA foreign_key_check: %w", err)
	}
	defer rows.Close()
	var vs []violation
	for rows.Next() {
		var v violation
		if err := rows.Scan(&v.table, &v.row, &v.parent, &v.fk); err != nil {
			return nil, fmt.Errorf("sqlitedb: PRAGMA foreign_key_check: %w", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: PRAGMA foreign_key_check: %w", err)
	}
	return vs, nil
}
