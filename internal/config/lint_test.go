package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadLint(t *testing.T) {
	const file = "testdata/lint.hcl"
	tests := []struct {
		env         string
		vars        map[string]string
		wantLint    Lint
		wantExclude []string
	}{
		// No lint block in the env: the top-level one.
		{"inherits", nil, Lint{GitBase: "main", Error: map[string]bool{"destructive": false, "data_depend": true}}, nil},
		// The env's latest replaces the top-level git.base, and its analyzer
		// settings replace the top-level ones as a whole (as the Atlas CLI).
		{"own", nil, Lint{Latest: 2, Error: map[string]bool{"incompatible": false}}, []string{"audit_log", "tmp_*"}},
		{"own", map[string]string{"STRICT": "1"}, Lint{Latest: 2, Error: map[string]bool{"incompatible": true}}, []string{"audit_log", "tmp_*"}},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			got, err := Load(file, read(t, file), tt.env, environ(tt.vars))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Lint, tt.wantLint) {
				t.Errorf("Lint: got %+v, want %+v", got.Lint, tt.wantLint)
			}
			if !reflect.DeepEqual(got.Exclude, tt.wantExclude) {
				t.Errorf("Exclude: got %q, want %q", got.Exclude, tt.wantExclude)
			}
		})
	}
}

func TestLoadLintErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"git.dir", `lint {
  git {
    dir  = "../"
    base = "main"
  }
}
env "local" {}`, `a.hcl:3:5: Unsupported argument; git.dir is not supported: structmigrate runs git in the migration directory.`},
		{"latest and base", `env "local" {
  lint {
    latest = 1
    git {
      base = "main"
    }
  }
}`, `a.hcl:5:7: Conflicting arguments; A lint block sets either latest or git.base, not both.`},
		{"negative latest", `lint {
  latest = -1
}
env "local" {}`, `a.hcl:2:12: Invalid value; lint: latest must be a whole number of files, 0 or more.`},
		{"error not a bool", `lint {
  destructive {
    error = "no"
  }
}
env "local" {}`, `a.hcl:3:13: Incorrect attribute value type; lint: destructive.error must be a bool, not string.`},
		{"unknown analyzer", `lint {
  naming {
    error = true
  }
}
env "local" {}`, `a.hcl:2:3: Unsupported block type; Blocks of type "naming" are not expected here.`},
		{"analyzer without error", `lint {
  condrop {}
}
env "local" {}`, `a.hcl:2:11: Missing required argument; The argument "error" is required, but no definition was found.`},
		{"review", `env "local" {
  lint {
    review = ERROR
  }
}`, `a.hcl:3:5: Unsupported argument; An argument named "review" is not expected here.`},
		{"two lint blocks", `lint {}
lint {}
env "local" {}`, `a.hcl:2:1: Duplicate definition; lint block was already defined at a.hcl:1:1.`},
		{"exclude not a list", `env "local" {
  exclude = "audit_log"
}`, `a.hcl:2:13: Invalid exclude; env "local": exclude must be a list of strings, not string.`},
		{"exclude bad glob", `env "local" {
  exclude = ["audit_["]
}`, `a.hcl:2:13: Invalid exclude; env "local": exclude pattern "audit_[": syntax error in pattern.`},
		{"exclude a column", `env "local" {
  exclude = ["players.note"]
}`, `a.hcl:2:13: Invalid exclude; env "local": exclude pattern "players.note": only tables can be excluded (a glob of table names, no schema or column).`},
		// Another env's mistake is reported too (every env is evaluated).
		{"other env", `env "local" {}
env "ci" {
  lint {
    latest = "x"
  }
}`, `a.hcl:4:14: Incorrect attribute value type; lint: latest must be a number, not string.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("a.hcl", []byte(tt.src), "local", environ(nil))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}
