package dialect

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	mrand "math/rand/v2"
	"net/url"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
	gpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"

	"github.com/structmigrate/structmigrate/internal/revisions"
)

// pg is PostgreSQL: pgx's database/sql driver, Atlas's sql/postgres,
// GORM's postgres dialector.
type pg struct{}

func (pg) Name() Name { return Postgres }

// Open accepts the Atlas CLI's url, postgres:// or postgresql://, which is
// also libpq's and pgx's connection URL.
func (pg) Open(ctx context.Context, u string) (*sql.DB, error) {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", Redact(u), err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", Redact(u), err)
	}
	return db, nil
}

func (pg) Driver(conn schema.ExecQuerier) (migrate.Driver, error) { return postgres.Open(conn) }

func (pg) Gorm(db *sql.DB) gorm.Dialector { return gpostgres.New(gpostgres.Config{Conn: db}) }

func (pg) Revisions(conn schema.ExecQuerier) Revisions { return revisions.NewPostgres(conn) }

// ApplyLock is the name of the lock `atlas migrate apply` takes. On
// PostgreSQL, Atlas's driver (sql/postgres Driver.Lock) turns it into a
// session advisory lock whose key is the name's 32-bit FNV-1 hash, tried
// with pg_try_advisory_lock on a connection of its own. Lock takes the
// same key the same way, so the two tools exclude each other; it polls
// more often than Atlas's back-off (up to 2s), so replicas started
// together follow the first one closely.
const ApplyLock = "atlas_migrate_execute"

// LockKey is the advisory lock key of a lock name, as Atlas computes it.
func LockKey(name string) int64 {
	h := fnv.New32()
	h.Write([]byte(name))
	return int64(h.Sum32())
}

// lockPoll bounds the pause between two tries.
const lockPoll = 50 * time.Millisecond

// HeldError reports a lock another run held for the whole wait.
type HeldError struct {
	Wait time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("another migration run (structmigrate or the Atlas CLI) held the migration lock (advisory lock %d, %q) for %s; nothing was applied (try again, or raise --lock-timeout)", LockKey(ApplyLock), ApplyLock, e.Wait)
}

// Lock takes the apply lock, waiting up to wait; it says once on out
// that it waits. Not pg_advisory_lock, which would wait inside a
// statement: a holder running CREATE INDEX CONCURRENTLY waits for every
// open transaction, the waiter's too (Atlas's reason for trying).
func (p pg) Lock(ctx context.Context, db *sql.DB, wait time.Duration, out io.Writer) (func() error, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	// The lock lives as long as this session, which sits idle while the
	// run works on others: a server's idle_session_timeout (PostgreSQL
	// 14+) would end it, and release the lock, mid-run. No row on older
	// servers, which do not have the setting.
	if _, err := conn.ExecContext(ctx, "SELECT set_config(name, '0', false) FROM pg_settings WHERE name = 'idle_session_timeout'"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	key, start, told := LockKey(ApplyLock), time.Now(), false
	for {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
			conn.Close()
			return nil, fmt.Errorf("take the migration lock: %w", err)
		}
		if ok {
			break
		}
		if time.Since(start) >= wait {
			conn.Close()
			return nil, &HeldError{Wait: wait}
		}
		if !told {
			fmt.Fprintf(out, "-- waiting for the lock: another migration run holds advisory lock %d (%s)\n", key, ApplyLock)
			told = true
		}
		select {
		case <-ctx.Done():
			conn.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll/2 + time.Duration(mrand.Int64N(int64(lockPoll/2)))):
		}
	}
	return func() error {
		defer conn.Close()
		// Not ctx: a cancelled run must still release (closing the
		// connection would too, but the pool may keep it open).
		var released bool
		if err := conn.QueryRowContext(context.Background(), "SELECT pg_advisory_unlock($1)", key).Scan(&released); err != nil {
			return err
		}
		if !released {
			return fmt.Errorf("release the migration lock: advisory lock %d was not held", key)
		}
		// The connection goes back to the pool (the app's, for the
		// start-up API) with the session's own idle_session_timeout.
		_, err := conn.ExecContext(context.Background(), "SELECT set_config(name, reset_val, false) FROM pg_settings WHERE name = 'idle_session_timeout'")
		return err
	}, nil
}

// Dev opens the env's dev database, which must be empty (Atlas's Snapshot
// refuses one that is not), or creates a temporary database on the target
// server, empty from template0, and drops it on Close.
func (p pg) Dev(ctx context.Context, target, dev string) (*Dev, error) {
	if dev != "" {
		db, err := p.Open(ctx, dev)
		if err != nil {
			return nil, fmt.Errorf("dev database: %w", err)
		}
		return p.dev(db, db.Close)
	}
	admin, err := p.Open(ctx, target)
	if err != nil {
		return nil, err
	}
	return temp(ctx, admin, admin.Close, "on "+Redact(target), "or give the env a dev url", func(name string) (*sql.DB, error) {
		devURL, err := withDatabase(target, name)
		if err != nil {
			return nil, err
		}
		return p.Open(ctx, devURL)
	})
}

// DevBeside returns a temporary dev database made, and dropped on Close,
// through db, an app's pgx pool (the start-up API has no url): it
// connects to it as db's connections do, with their config, but for the
// search_path, which is public: the app's own (from its url, options or
// its role's ALTER ROLE … SET) names a schema the new database does not
// have, in which nothing could be made (the replay makes it, if a file
// does, as an extra schema, which the replay's clean-up drops).
func DevBeside(ctx context.Context, db *sql.DB) (*Dev, error) {
	cfg, err := poolConfig(ctx, db)
	if err != nil {
		return nil, err
	}
	return temp(ctx, db, func() error { return nil }, "on the app's server", "the role needs CREATEDB", func(name string) (*sql.DB, error) {
		c := cfg.Copy()
		c.Database = name
		if c.RuntimeParams == nil {
			c.RuntimeParams = map[string]string{}
		}
		// A startup parameter: over the role's setting and over a
		// search_path in the options parameter.
		c.RuntimeParams["search_path"] = "public"
		dev := stdlib.OpenDB(*c)
		if err := dev.PingContext(ctx); err != nil {
			dev.Close()
			return nil, fmt.Errorf("connect to the temporary dev database: %w", err)
		}
		return dev, nil
	})
}

// poolConfig is the pgx config of db's connections.
func poolConfig(ctx context.Context, db *sql.DB) (*pgx.ConnConfig, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var cfg *pgx.ConnConfig
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("the pool's driver connection is a %T, not pgx's: no dev database can be made beside it", dc)
		}
		cfg = c.Conn().Config()
		return nil
	})
	return cfg, err
}

// temp makes a database with a random name through admin, opens it with
// open and returns it as a Dev whose Close drops it (then closeAdmin).
func temp(ctx context.Context, admin *sql.DB, closeAdmin func() error, where, hint string, open func(name string) (*sql.DB, error)) (*Dev, error) {
	var b [6]byte
	rand.Read(b[:])
	name := "structmigrate_dev_" + hex.EncodeToString(b[:])
	drop := func() error {
		// Not ctx: the drop must happen after a cancel too.
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(c, fmt.Sprintf("DROP DATABASE IF EXISTS %q WITH (FORCE)", name))
		return errors.Join(err, closeAdmin())
	}
	// Not cancelled midway: a cancel reaching the server after the
	// database was made would leave it behind. It is short; ctx is
	// checked right after.
	create, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	_, err := admin.ExecContext(create, fmt.Sprintf("CREATE DATABASE %q TEMPLATE template0", name))
	cancel()
	if err != nil {
		return nil, errors.Join(fmt.Errorf("create a temporary dev database %s: %w (%s)", where, err, hint), drop())
	}
	if err := ctx.Err(); err != nil {
		return nil, errors.Join(err, drop())
	}
	db, err := open(name)
	if err != nil {
		return nil, errors.Join(err, drop())
	}
	return pg{}.dev(db, func() error { return errors.Join(db.Close(), drop()) })
}

func (p pg) dev(db *sql.DB, closeFn func() error) (*Dev, error) {
	drv, err := p.Driver(db)
	if err != nil {
		return nil, errors.Join(err, closeFn())
	}
	return &Dev{DB: db, Driver: drv, close: closeFn}, nil
}

// withDatabase returns u naming database name instead of its own.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("url %s: %w", Redact(u), err)
	}
	p.Path = "/" + name
	p.RawPath = ""
	return p.String(), nil
}

// Redact hides a url's password, for messages.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		// Do not echo what may hold a password.
		if i := strings.Index(u, "://"); i >= 0 {
			return u[:i+3] + "…"
		}
		return "the database url"
	}
	return p.Redacted()
}
