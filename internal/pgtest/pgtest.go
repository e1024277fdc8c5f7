// Package pgtest gives tests a real PostgreSQL server, a fresh database per
// test:
//
//   - STRUCTMIGRATE_TEST_POSTGRES=postgres://… names a server to use (its
//     user must be allowed to create databases);
//   - else, when PostgreSQL's binaries are installed (initdb and postgres on
//     PATH or under /usr/lib/postgresql/*/bin), a throwaway cluster is
//     started once per test binary: initdb in a temp dir, a loopback port,
//     unix sockets in that dir; as root it runs as the postgres user. It
//     stops, and its dir is removed, when the binary's tests end (Wrap) or
//     when the binary dies (a watchdog shell reads the binary's pipe);
//   - else the test is skipped, saying why; STRUCTMIGRATE_TEST_POSTGRES=off
//     skips it too.
//
// A package that calls NewDB must wrap its tests with Wrap (or call Main)
// in its TestMain, so the cluster is stopped.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvVar names an existing server to test against.
const EnvVar = "STRUCTMIGRATE_TEST_POSTGRES"

var (
	once    sync.Once
	srv     *cluster
	srvURL  string // admin URL, database "postgres" (or the env var's)
	skipWhy string
	failErr error
	dbSeq   atomic.Int64
)

// TestingM is what testing.M and testscript.Main share.
type TestingM interface{ Run() int }

type wrapped struct{ m TestingM }

func (w wrapped) Run() int {
	code := w.m.Run()
	Stop()
	return code
}

// Wrap returns m whose Run stops the cluster this binary started, if any.
func Wrap(m TestingM) TestingM { return wrapped{m} }

// Main runs the tests and stops the cluster: a package's TestMain.
func Main(m *testing.M) { os.Exit(Wrap(m).Run()) }

// Stop stops the cluster (a no-op when none was started).
func Stop() {
	if srv != nil {
		srv.stop()
	}
}

// Available reports whether a server can be had, and why not.
func Available() (bool, string) {
	if os.Getenv(EnvVar) == Off {
		return false, EnvVar + "=" + Off
	}
	if os.Getenv(EnvVar) != "" {
		return true, ""
	}
	if _, err := Binaries(); err != nil {
		return false, err.Error()
	}
	return true, ""
}

// AdminURL returns the server's admin URL (starting the cluster if
// needed), or skips t.
func AdminURL(t testing.TB) string {
	t.Helper()
	once.Do(start)
	if failErr != nil {
		t.Fatalf("PostgreSQL test server: %v", failErr)
	}
	if skipWhy != "" {
		t.Skipf("PostgreSQL suite skipped: %s", skipWhy)
	}
	return srvURL
}

// Throwaway reports whether the server is the cluster this binary
// started (not one named by STRUCTMIGRATE_TEST_POSTGRES): only then may a
// test change the server's own configuration.
func Throwaway(t testing.TB) bool {
	AdminURL(t)
	return srv != nil
}

// NewDB creates a fresh, empty database for t on the test server and
// returns its URL; it is dropped when t ends. Without a server, t is
// skipped with the reason.
func NewDB(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	name := fmt.Sprintf("smtest_%d_%d", os.Getpid(), dbSeq.Add(1))
	u, err := CreateDB(admin, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := DropDB(admin, name); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return u
}

// CreateDB creates database name (from template0, so it is empty) on the
// server of adminURL and returns its URL.
func CreateDB(adminURL, name string) (string, error) {
	if err := adminExec(adminURL, fmt.Sprintf("CREATE DATABASE %q TEMPLATE template0", name)); err != nil {
		return "", fmt.Errorf("create test database %s: %w", name, err)
	}
	return WithDatabase(adminURL, name)
}

// DropDB drops database name, closing its connections.
func DropDB(adminURL, name string) error {
	return adminExec(adminURL, fmt.Sprintf("DROP DATABASE IF EXISTS %q WITH (FORCE)", name))
}

// WithDatabase returns u with its database (path) replaced by name.
func WithDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", err
	}
	p.Path = "/" + name
	return p.String(), nil
}

func adminExec(adminURL, stmt string) error {
	db, err := sql.Open("pgx", adminURL)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

// Off is the value of EnvVar that skips the suite.
const Off = "off"

func start() {
	if os.Getenv(EnvVar) == Off {
		skipWhy = EnvVar + "=" + Off
		return
	}
	if u := os.Getenv(EnvVar); u != "" {
		srvURL = u
		return
	}
	bin, err := Binaries()
	if err != nil {
		skipWhy = err.Error()
		return
	}
	// A port taken between the probe and the server's bind: try again.
	for range 3 {
		srv, err = startCluster(bin)
		if err == nil {
			srvURL = srv.url
			return
		}
	}
	failErr = err
}

// Binaries returns the folder holding initdb and postgres: PATH first,
// then the newest /usr/lib/postgresql/N/bin (Debian's layout, not on PATH).
func Binaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if q, err := exec.LookPath("postgres"); err == nil && filepath.Dir(p) == filepath.Dir(q) {
			return filepath.Dir(p), nil
		}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%s is not set and PostgreSQL's binaries (initdb, postgres) are not installed (apt-get install postgresql)", EnvVar)
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// cluster is a server this binary started.
type cluster struct {
	dir  string
	url  string
	cmd  *exec.Cmd
	pipe *os.File // closing it stops the server (the watchdog reads it)
	once sync.Once
}

// watchdog runs the server and stops it when its stdin (the test binary's
// pipe) closes: at Stop, or when the binary dies. It then removes the dir.
const watchdog = `"$1/postgres" -D "$2/data" -p "$3" -k "$2" -h 127.0.0.1 -F \
	-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
	-c max_connections=200 -c shared_buffers=32MB -c log_min_messages=fatal >"$2/log" 2>&1 &
pid=$!
read -r _
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$2"`

// clusterBase is where the cluster's dir goes: the temp dir, unless the
// postgres user (when running as root) could not reach it, e.g. a private
// TMPDIR a test made; then /tmp.
func clusterBase() string {
	base := os.TempDir()
	if os.Geteuid() != 0 {
		return base
	}
	for d := base; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if d == filepath.Dir(d) {
			return base
		}
	}
}

func startCluster(bin string) (*cluster, error) {
	dir, err := os.MkdirTemp(clusterBase(), "structmigrate-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir}
	asUser := func(args ...string) *exec.Cmd { return exec.Command(args[0], args[1:]...) }
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		asUser = func(args ...string) *exec.Cmd {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		}
	}
	out, err := asUser(filepath.Join(bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, strings.TrimSpace(string(out)))
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.cmd = asUser("sh", "-c", watchdog, "sh", bin, dir, strconv.Itoa(port))
	c.cmd.Stdin = r
	if err := c.cmd.Start(); err != nil {
		r.Close()
		w.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	r.Close()
	c.pipe = w
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := c.wait(30 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		c.stop()
		return nil, fmt.Errorf("start postgres on port %d: %v: %s", port, err, strings.TrimSpace(string(log)))
	}
	return c, nil
}

// wait polls until the server accepts connections.
func (c *cluster) wait(limit time.Duration) error {
	db, err := sql.Open("pgx", c.url)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *cluster) stop() {
	c.once.Do(func() {
		c.pipe.Close()
		done := make(chan error, 1)
		go func() { done <- c.cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(c.dir)
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Server returns the admin URL of a server for a program that is not a
// test (bench): the one of $STRUCTMIGRATE_TEST_POSTGRES, else a throwaway
// cluster it starts (Stop stops it); or why there is none (skip), or
// the error starting it.
func Server() (adminURL, skip string, err error) {
	once.Do(start)
	return srvURL, skipWhy, failErr
}
