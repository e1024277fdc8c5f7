package desired_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"
	gschema "gorm.io/gorm/schema"

	"github.com/structmigrate/structmigrate/internal/desired"
	"github.com/structmigrate/structmigrate/internal/objects"
)

type hookAuthor struct {
	ID   uint
	Name string
}

// The hook gets the package's GORM config (here a table prefix), and
// AutoMigrateDDL honours it; what the hook's DDL creates, view included,
// is the desired state, and a schema built without a hook states no views.
func TestHookGetsConfig(t *testing.T) {
	ctx := context.Background()
	var got *gorm.Config
	o := desired.Options{
		Gorm: &gorm.Config{NamingStrategy: gschema.NamingStrategy{TablePrefix: "app_"}},
		Desired: func(cfg *gorm.Config, m []any) (string, error) {
			got = cfg
			ddl, err := desired.AutoMigrateDDL(ctx, cfg, m...)
			return ddl + "CREATE VIEW names AS SELECT name FROM app_hook_authors;", err
		},
	}
	s, err := o.Schema(ctx, &hookAuthor{})
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got == o.Gorm {
		t.Fatalf("the hook got %p, want a new config (the package's is %p)", got, o.Gorm)
	}
	if _, ok := s.Table("app_hook_authors"); !ok || len(s.Tables) != 1 {
		t.Fatalf("tables %v, want app_hook_authors", s.Tables)
	}
	if objs := objects.Of(s); len(objs) != 1 || objs[0].Name != "names" || !objects.Known(s) {
		t.Fatalf("objects %v (known %v), want the view names", objs, objects.Known(s))
	}
	plain, err := desired.Options{Gorm: o.Gorm}.Schema(ctx, &hookAuthor{})
	if err != nil {
		t.Fatal(err)
	}
	if objects.Known(plain) {
		t.Fatal("without a hook the models declare no views: the schema must say it does not know them")
	}
}

// A failing statement is named with its line; a failing hook and an empty
// DDL are refused.
func TestHookErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		ddl  string
		err  error
		want string
	}{
		{"statement", "CREATE TABLE t (id integer);\n\nCREATE VIEW v AS SELEC 1;\n", nil, `models: the Desired hook's DDL, line 3: "CREATE VIEW v AS SELEC 1;": `},
		{"hook", "", errors.New("boom"), "models: the Desired hook failed: boom"},
		{"empty", "  -- nothing\n", nil, "models: the Desired hook failed: it returned no statement"},
		// Statements that make no schema object, or one outside the main
		// schema, would be dropped silently: refused, named.
		{"pragma", "CREATE TABLE t (id integer);\nPRAGMA foreign_keys = off;\n", nil, `models: the Desired hook's DDL, line 2: "PRAGMA foreign_keys = off;": only CREATE, ALTER and DROP statements declare a schema`},
		{"insert", "CREATE TABLE t (id integer);\n/* seed */ INSERT INTO t VALUES (1);\n", nil, `models: the Desired hook's DDL, line 2: "INSERT INTO t VALUES (1);": only CREATE`},
		{"temp view", "CREATE TABLE t (id integer);\nCREATE TEMP VIEW v AS SELECT 1;\n", nil, `models: the Desired hook's DDL, line 2: "CREATE TEMP VIEW v AS SELECT 1;": it creates the temporary view "v"`},
		{"temp table", "CREATE TABLE temp.t (id integer);\n", nil, `models: the Desired hook's DDL, line 1: "CREATE TABLE temp.t (id integer);": it creates the temporary table "t"`},
		{"attach", "ATTACH 'x.db' AS x;\n", nil, `models: the Desired hook's DDL, line 1: "ATTACH 'x.db' AS x;": only CREATE`},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := desired.Options{Desired: func(*gorm.Config, []any) (string, error) { return c.ddl, c.err }}
			_, err := o.Schema(ctx, &hookAuthor{})
			var he *desired.HookError
			if !errors.As(err, &he) || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got %v, want %s…", err, c.want)
			}
		})
	}
}

// A hook that panics is an error naming the hook, not a crash.
func TestHookPanics(t *testing.T) {
	o := desired.Options{Desired: func(*gorm.Config, []any) (string, error) { panic("boom") }}
	_, err := o.Schema(context.Background(), &hookAuthor{})
	var he *desired.HookError
	if !errors.As(err, &he) || err.Error() != "models: the Desired hook failed: it panicked: boom" {
		t.Fatalf("got %v", err)
	}
}
