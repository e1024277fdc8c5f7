package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/dialect"
)

// FuzzLoad: any project file, any env name. Loading never panics; a
// refusal is one line; a load that succeeds is repeatable, names an env
// that Names lists, and gives an Env whose parts agree with its url.
// The seed corpus is testdata/fuzz/FuzzLoad (the repository's atlas.hcl and
// the test files); `make fuzz` explores from it.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("env \"local\" {\n  url = \"sqlite://app.db\"\n}\n"), "local")
	vars := environ(map[string]string{"STORAGE_PATH": "/data/players.db", "EMPTY": "", "TENANT": "acme"})
	f.Fuzz(func(t *testing.T, src []byte, env string) {
		// A hang is a failure too: the panic makes the fuzzer keep the input.
		stuck := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("Load is stuck on %q", src)) })
		defer stuck.Stop()
		got, err := Load("atlas.hcl", src, env, vars)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error spans several lines: %q", err)
			}
			return
		}
		again, err := Load("atlas.hcl", src, env, vars)
		if err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("second load differs: %+v, %v; first %+v", again, err, got)
		}
		names, err := Names("atlas.hcl", src)
		if err != nil || !slices.Contains(names, env) {
			t.Fatalf("Names = %q, %v; loaded env %q", names, err, env)
		}
		if got.Name != env {
			t.Fatalf("loaded env %q as %q", env, got.Name)
		}
		switch {
		case got.URL == "":
			if got.DBPath != "" || got.InMemory {
				t.Fatalf("no url, but DBPath %q, InMemory %v", got.DBPath, got.InMemory)
			}
		case got.Dialect == dialect.Postgres:
			if got.DBPath != "" || got.InMemory || !(strings.HasPrefix(got.URL, "postgres://") || strings.HasPrefix(got.URL, "postgresql://")) {
				t.Fatalf("postgres url %q: DBPath %q, InMemory %v", got.URL, got.DBPath, got.InMemory)
			}
		case !strings.HasPrefix(got.URL, "sqlite://") || got.Dialect != dialect.SQLite:
			t.Fatalf("url %q accepted (dialect %q)", got.URL, got.Dialect)
		case got.InMemory == (got.DBPath != ""):
			t.Fatalf("url %q: DBPath %q, InMemory %v", got.URL, got.DBPath, got.InMemory)
		case got.DBPath != "" && !strings.HasPrefix(strings.TrimPrefix(got.URL, "sqlite://"), got.DBPath):
			t.Fatalf("url %q: DBPath %q is not its path", got.URL, got.DBPath)
		}
		if strings.HasPrefix(got.Dir, "file://") {
			t.Fatalf("dir %q kept its scheme", got.Dir)
		}
	})
}
