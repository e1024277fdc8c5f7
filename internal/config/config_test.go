package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/structmigrate/structmigrate/internal/dialect"
)

// projectFile is the repository's own atlas.hcl.
const projectFile = "../../atlas.hcl"

func read(t *testing.T, filename string) []byte {
	t.Helper()
	src, err := os.ReadFile(filename)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// environ returns a getenv over vars, standing in for os.Getenv.
func environ(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestLoadProjectFile(t *testing.T) {
	set := map[string]string{"STORAGE_PATH": "/data/players.db"}
	tests := []struct {
		env  string
		vars map[string]string
		want Env
	}{
		{"local", nil, Env{
			URL:    "sqlite://./storage/players-sqlite3.db",
			DBPath: "./storage/players-sqlite3.db",
			Dev:    "sqlite://dev?mode=memory",
			Dir:    "migrations",
		}},
		{"local", set, Env{
			URL:    "sqlite:///data/players.db",
			DBPath: "/data/players.db",
			Dev:    "sqlite://dev?mode=memory",
			Dir:    "migrations",
		}},
		{"ci", nil, Env{
			URL:      "sqlite://ci?mode=memory",
			InMemory: true,
			Dev:      "sqlite://dev?mode=memory",
			Dir:      "migrations",
		}},
		{"ci", set, Env{
			URL:      "sqlite://ci?mode=memory",
			InMemory: true,
			Dev:      "sqlite://dev?mode=memory",
			Dir:      "migrations",
		}},
		{"prod", set, Env{
			URL:    "sqlite:///data/players.db",
			DBPath: "/data/players.db",
			Dir:    "migrations",
		}},
		{"pg", map[string]string{"DATABASE_URL": "postgres://app@db:5432/players?sslmode=disable"}, Env{
			URL:     "postgres://app@db:5432/players?sslmode=disable",
			Dialect: dialect.Postgres,
			Dir:     "migrations/postgres",
		}},
		{"gorm", nil, Env{
			Src: "external_schema://gorm",
			Dev: "sqlite://dev?mode=memory",
			Dir: "migrations",
		}},
		{"gorm", set, Env{
			Src: "external_schema://gorm",
			Dev: "sqlite://dev?mode=memory",
			Dir: "migrations",
		}},
	}
	src := read(t, projectFile)
	for _, tt := range tests {
		name := tt.env + "/STORAGE_PATH=" + tt.vars["STORAGE_PATH"]
		t.Run(name, func(t *testing.T) {
			got, err := Load(projectFile, src, tt.env, environ(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Name = tt.env
			if tt.want.Dialect == "" {
				tt.want.Dialect = dialect.SQLite
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Load(%q):\n got %+v\nwant %+v", tt.env, *got, tt.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name, file, env string
		vars            map[string]string
		want            Env
	}{
		{
			name: "locals referencing locals, defaults",
			file: "testdata/locals.hcl", env: "dev",
			want: Env{
				URL:      "sqlite://./var/app.db?_fk=1",
				DBPath:   "./var/app.db",
				Dev:      "sqlite://dev?mode=memory",
				Dir:      "db/migrations",
				Baseline: "20240101000000",
			},
		},
		{
			name: "locals referencing locals, getenv set",
			file: "testdata/locals.hcl", env: "dev",
			vars: map[string]string{"DB_DIR": "/srv", "DB_NAME": "players"},
			want: Env{
				URL:      "sqlite:///srv/players.db?_fk=1",
				DBPath:   "/srv/players.db",
				Dev:      "sqlite://dev?mode=memory",
				Dir:      "db/migrations",
				Baseline: "20240101000000",
			},
		},
		{
			name: "empty env block",
			file: "testdata/locals.hcl", env: "bare",
			want: Env{},
		},
		{
			name: "absolute path",
			file: "testdata/locals.hcl", env: "abs",
			want: Env{URL: "sqlite:///tmp/abs.db", DBPath: "/tmp/abs.db"},
		},
		{
			name: "getenv in url",
			file: "testdata/locals.hcl", env: "two_vars",
			vars: map[string]string{"A_DIR": "dir/", "B_FILE": "b.db"},
			want: Env{URL: "sqlite://dir/b.db", DBPath: "dir/b.db"},
		},
		{
			name: "external_schema reference through a local",
			file: "testdata/data.hcl", env: "diff",
			want: Env{Src: "external_schema://app", Dev: "sqlite://dev?mode=memory"},
		},
		{
			name: "file:// stripped",
			file: "testdata/urls.hcl", env: "good_dir",
			want: Env{URL: "sqlite://good.db", DBPath: "good.db", Dir: "db/migrations"},
		},
		{
			name: "postgres url",
			file: "testdata/urls.hcl", env: "postgres",
			want: Env{URL: "postgres://localhost:5432/app", Dialect: dialect.Postgres},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.file, read(t, tt.file), tt.env, environ(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Name = tt.env
			if tt.want.Dialect == "" {
				tt.want.Dialect = dialect.SQLite
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Load(%s, %q):\n got %+v\nwant %+v", tt.file, tt.env, *got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, file, env string
		vars            map[string]string
		want            string
	}{
		{
			name: "prod without STORAGE_PATH",
			file: projectFile, env: "prod",
			want: `../../atlas.hcl:43:9: env "prod": url uses $STORAGE_PATH, which is not set (or empty) (url "storage-path-not-set://")`,
		},
		{
			name: "prod with empty STORAGE_PATH",
			file: projectFile, env: "prod", vars: map[string]string{"STORAGE_PATH": ""},
			want: `../../atlas.hcl:43:9: env "prod": url uses $STORAGE_PATH, which is not set (or empty) (url "storage-path-not-set://")`,
		},
		{
			name: "empty path, two variables",
			file: "testdata/locals.hcl", env: "two_vars",
			want: `testdata/locals.hcl:30:9: env "two_vars": url uses $A_DIR, $B_FILE, which are not set (or empty)`,
		},
		{
			name: "one of two variables unset",
			file: "testdata/locals.hcl", env: "two_vars", vars: map[string]string{"A_DIR": "/srv/"},
			want: `testdata/locals.hcl:30:9: env "two_vars": url uses $B_FILE, which is not set (or empty)`,
		},
		{
			name: "unset variable before a path",
			file: "testdata/locals.hcl", env: "in_path",
			want: `testdata/locals.hcl:39:9: env "in_path": url uses $NOPE, which is not set (or empty)`,
		},
		{
			name: "unset variable through a local",
			file: "testdata/locals.hcl", env: "via_local", vars: map[string]string{"TENANT": ""},
			want: `testdata/locals.hcl:43:9: env "via_local": url uses $TENANT, which is not set (or empty)`,
		},
		{
			name: "unset variable in the migration dir",
			file: "testdata/locals.hcl", env: "in_dir",
			want: `testdata/locals.hcl:53:11: env "in_dir": migration.dir uses $MIGRATIONS, which is not set (or empty)`,
		},
		{
			name: "empty path, no variables",
			file: "testdata/locals.hcl", env: "no_vars",
			want: `testdata/locals.hcl:34:9: env "no_vars": url "sqlite://?_fk=1" has no database path`,
		},
		{
			name: "pg without DATABASE_URL",
			file: projectFile, env: "pg",
			want: `../../atlas.hcl:55:9: env "pg": url uses $DATABASE_URL, which is not set (or empty)`,
		},
		{
			name: "unknown env",
			file: projectFile, env: "staging",
			want: `env "staging" is not defined in ../../atlas.hcl (defined: local, ci, prod, pg, gorm)`,
		},
		{
			name: "no env blocks",
			file: "testdata/no_envs.hcl", env: "local",
			want: `env "local" is not defined in testdata/no_envs.hcl (it defines no env blocks)`,
		},
		{
			name: "unknown attribute in env",
			file: "testdata/unknown_attr.hcl", env: "local",
			want: `testdata/unknown_attr.hcl:10:3: Unsupported argument; An argument named "foo" is not expected here.`,
		},
		{
			name: "several errors, in file order",
			file: "testdata/multi_error.hcl", env: "local",
			want: `testdata/multi_error.hcl:3:3: Unsupported argument; An argument named "schema" is not expected here.; ` +
				`testdata/multi_error.hcl:6:5: Unsupported argument; An argument named "format" is not expected here.; ` +
				`testdata/multi_error.hcl:8:3: Unsupported argument; An argument named "schemas" is not expected here.`,
		},
		{
			name: "unknown block in migration",
			file: "testdata/unknown_migration_block.hcl", env: "local",
			want: `testdata/unknown_migration_block.hcl:5:5: Unsupported block type; Blocks of type "lint" are not expected here.`,
		},
		{
			name: "unknown top-level block",
			file: "testdata/unknown_top_block.hcl", env: "local",
			want: `testdata/unknown_top_block.hcl:1:1: Unsupported block type; Blocks of type "variable" are not expected here.`,
		},
		{
			name: "unsupported data source",
			file: "testdata/unsupported_data.hcl", env: "local",
			want: `testdata/unsupported_data.hcl:1:6: Unsupported data source; Data source type "sql" is not supported (only "external_schema" is).`,
		},
		{
			name: "unsupported url",
			file: "testdata/urls.hcl", env: "mysql",
			want: `testdata/urls.hcl:31:9: env "mysql": url "mysql://localhost:3306/app" is not supported (only sqlite:// and postgres:// URLs are)`,
		},
		{
			name: "postgres url with search_path",
			file: "testdata/urls.hcl", env: "pg_search_path",
			want: `testdata/urls.hcl:35:9: env "pg_search_path": url "postgres://u:xxxxx@localhost/app?search_path=public" sets search_path, which is not supported (the files run in the connected user's default schema, revisions go to the schema atlas_schema_revisions)`,
		},
		{
			name: "postgres url without server",
			file: "testdata/urls.hcl", env: "pg_no_host",
			want: `testdata/urls.hcl:39:9: env "pg_no_host": url "postgres:///app" names no server`,
		},
		{
			name: "invalid url query",
			file: "testdata/urls.hcl", env: "bad_query",
			want: `testdata/urls.hcl:27:9: env "bad_query": url "sqlite://x.db?mode=%zz" has an invalid query: invalid URL escape "%zz"`,
		},
		{
			name: "migration dir with another scheme",
			file: "testdata/urls.hcl", env: "atlas_dir",
			want: `testdata/urls.hcl:15:11: env "atlas_dir": migration dir "atlas://app" is not supported (only file:// URLs are)`,
		},
		{
			name: "migration dir without scheme",
			file: "testdata/urls.hcl", env: "plain_dir",
			want: `testdata/urls.hcl:22:11: env "plain_dir": migration dir "migrations" is not supported (only file:// URLs are)`,
		},
		{
			name: "syntax error",
			file: "testdata/syntax_error.hcl", env: "local",
			want: `testdata/syntax_error.hcl:3:9: Invalid expression; Expected the start of an expression, but found an invalid expression token.`,
		},
		{
			name: "cyclic locals",
			file: "testdata/cycle.hcl", env: "local",
			want: `testdata/cycle.hcl:3:10: Cyclic reference; local.b refers to local.a, which refers back to it.`,
		},
		{
			name: "undefined local in another env",
			file: "testdata/undefined_ref.hcl", env: "local",
			want: `testdata/undefined_ref.hcl:6:26: Unsupported attribute; This object does not have an attribute named "nope".`,
		},
		{
			name: "duplicate env",
			file: "testdata/duplicate_env.hcl", env: "local",
			want: `testdata/duplicate_env.hcl:5:5: Duplicate definition; env "local" was already defined at testdata/duplicate_env.hcl:1:1.`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.file, read(t, tt.file), tt.env, environ(tt.vars))
			if err == nil {
				t.Fatalf("Load(%s, %q) = %+v, want error %q", tt.file, tt.env, *got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Load(%s, %q) error:\n got %s\nwant %s", tt.file, tt.env, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{projectFile, []string{"local", "ci", "prod", "pg", "gorm"}},
		{"testdata/locals.hcl", []string{"dev", "bare", "abs", "two_vars", "no_vars", "in_path", "via_local", "in_dir"}},
		{"testdata/urls.hcl", []string{"postgres", "good_dir", "atlas_dir", "plain_dir", "bad_query", "mysql", "pg_search_path", "pg_no_host"}},
		{"testdata/no_envs.hcl", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Names(tt.file, read(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Names(%s) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}

func TestNamesErrors(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"testdata/unknown_top_block.hcl", `testdata/unknown_top_block.hcl:1:1: Unsupported block type; Blocks of type "variable" are not expected here.`},
		{"testdata/syntax_error.hcl", `testdata/syntax_error.hcl:3:9: Invalid expression; Expected the start of an expression, but found an invalid expression token.`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Names(tt.file, read(t, tt.file))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Names(%s) error = %v, want %s", tt.file, err, tt.want)
			}
		})
	}
}
