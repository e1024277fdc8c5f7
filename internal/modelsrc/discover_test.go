package modelsrc

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDiscoverTypes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"user.go": `package models

import "gorm.io/gorm"

type User struct {
	gorm.Model
	Name string
}

// Tagged: a gorm: tag on any field makes it a model.
type Post struct {
	ID    uint
	Title string ` + "`gorm:\"size:200\"`" + `
}

// Plain: no gorm.Model, no gorm tag (atlas-provider-gorm skips it too).
type Plain struct{ ID uint }

type unexported struct{ gorm.Model }

type Generic[T any] struct{ gorm.Model; V T }

type Alias = User

type Named int
`,
		"aliased.go": `package models

import g "gorm.io/gorm"

type Comment struct{ *g.Model }

// Another package's Model is not gorm's.
type Other struct{ other.Model }
`,
		// Excluded by a build tag, as go build would.
		"ignored.go":   "//go:build never\n\npackage models\n\nimport \"gorm.io/gorm\"\n\ntype Ignored struct{ gorm.Model }\n",
		"user_test.go": "package models\n\nimport \"gorm.io/gorm\"\n\ntype InTest struct{ gorm.Model }\n",
	})
	got, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := Found{Package: "models", Types: []string{"Comment", "Post", "User"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestDiscoverModelsFunc(t *testing.T) {
	for _, sig := range []string{"[]any", "[]interface{}"} {
		dir := writeFiles(t, map[string]string{"m.go": "package store\n\nfunc Models() " + sig + " { return nil }\n\ntype T struct{ X int `gorm:\"unique\"` }\n"})
		got, err := Discover(dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Found{Package: "store", HasModelsFunc: true, Types: []string{"T"}}); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: got %+v, want %+v", sig, got, want)
		}
	}
	// A method named Models is not the package's function.
	dir := writeFiles(t, map[string]string{"m.go": "package store\n\ntype R struct{}\n\nfunc (R) Models() []any { return nil }\n"})
	if got, err := Discover(dir); err != nil || got.HasModelsFunc {
		t.Fatalf("method Models: got %+v, %v", got, err)
	}
}

func TestDiscoverErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"signature": {map[string]string{"m.go": "package m\n\nfunc Models() []string { return nil }\n"}, "m.go:3:1: Models must be func Models() []any"},
		"params":    {map[string]string{"m.go": "package m\n\nfunc Models(n int) []any { return nil }\n"}, "Models must be func Models() []any"},
		"main":      {map[string]string{"m.go": "package main\n\nfunc main() {}\n"}, "package main cannot be imported"},
		"empty":     {map[string]string{"README": "x"}, "no Go files"},
		"syntax":    {map[string]string{"m.go": "package m\n\ntype T struct {\n"}, "m.go:3"},
		"packages":  {map[string]string{"a.go": "package a\n", "b.go": "package b\n"}, "found packages a"},
	} {
		dir := writeFiles(t, tc.files)
		_, err := Discover(dir)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), dir) {
			t.Errorf("%s: got %v, want an *Error with %q", name, err, tc.want)
		}
	}
}

// A struct named Model from another package is not gorm.Model, and a
// folder of test files alone has no package to import.
func TestDiscoverLookalikes(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.go": "package models\n\nimport \"example.com/base\"\n\ntype User struct{ base.Model }\n"})
	got, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Found{Package: "models"}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := Discover(writeFiles(t, map[string]string{"a_test.go": "package m\n"})); err == nil || !strings.Contains(err.Error(), "no Go files") {
		t.Errorf("only tests: got %v, want no Go files", err)
	}
}

// A model in a file built with a tag given in GOFLAGS is listed, as go
// build compiles it (go/build alone reads no GOFLAGS: it was left out).
func TestDiscoverGOFLAGSTags(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"m.go":     "package models\n\ntype T struct {\n\tID uint `gorm:\"primaryKey\"`\n}\n",
		"extra.go": "//go:build extra\n\npackage models\n\ntype Extra struct {\n\tID uint `gorm:\"primaryKey\"`\n}\n",
		"not.go":   "//go:build !extra\n\npackage models\n\ntype Without struct {\n\tID uint `gorm:\"primaryKey\"`\n}\n",
	})
	for goflags, want := range map[string][]string{
		"":                         {"T", "Without"},
		"-mod=mod -tags=extra,foo": {"Extra", "T"},
		"--tags=extra":             {"Extra", "T"},
		"-tags=extra -tags=other":  {"T", "Without"},
	} {
		t.Setenv("GOFLAGS", goflags)
		found, err := Discover(dir)
		if err != nil {
			t.Fatalf("GOFLAGS=%q: %v", goflags, err)
		}
		if !reflect.DeepEqual(found.Types, want) {
			t.Errorf("GOFLAGS=%q: types %v, want %v", goflags, found.Types, want)
		}
	}
}

// A dot-imported gorm's Model is embedded unqualified (it was missed).
func TestDiscoverDotImport(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"m.go": "package models\n\nimport . \"gorm.io/gorm\"\n\ntype User struct {\n\tModel\n\tName string\n}\n\ntype Ptr struct {\n\t*Model\n}\n\nvar _ = ErrRecordNotFound\n",
		// Another file's unqualified Model is not gorm's.
		"other.go": "package models\n\ntype Other struct {\n\tUser\n}\n",
	})
	found, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Ptr", "User"}; !reflect.DeepEqual(found.Types, want) {
		t.Errorf("types %v, want %v", found.Types, want)
	}
}

// func GormConfig() *gorm.Config is reported, whatever the file calls gorm;
// another signature is an error naming the line, a method is not it.
func TestDiscoverGormConfig(t *testing.T) {
	for name, src := range map[string]string{
		"plain":  "package store\n\nimport \"gorm.io/gorm\"\n\nfunc GormConfig() *gorm.Config { return nil }\n",
		"alias":  "package store\n\nimport g \"gorm.io/gorm\"\n\nfunc GormConfig() *g.Config { return nil }\n",
		"dotted": "package store\n\nimport . \"gorm.io/gorm\"\n\nfunc GormConfig() *Config { return nil }\n",
	} {
		got, err := Discover(writeFiles(t, map[string]string{"c.go": src}))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := (Found{Package: "store", HasGormConfig: true}); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	for name, src := range map[string]string{
		"value":     "package store\n\nimport \"gorm.io/gorm\"\n\nfunc GormConfig() gorm.Config { return gorm.Config{} }\n",
		"other":     "package store\n\nimport \"example.com/gorm\"\n\nfunc GormConfig() *gorm.Config { return nil }\n",
		"params":    "package store\n\nimport \"gorm.io/gorm\"\n\nfunc GormConfig(x int) *gorm.Config { return nil }\n",
		"noimport":  "package store\n\ntype Config struct{}\n\nfunc GormConfig() *Config { return nil }\n",
		"twoResult": "package store\n\nimport \"gorm.io/gorm\"\n\nfunc GormConfig() (*gorm.Config, error) { return nil, nil }\n",
	} {
		_, err := Discover(writeFiles(t, map[string]string{"c.go": src}))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), "c.go:5:1: GormConfig must be func GormConfig() *gorm.Config") {
			t.Errorf("%s: got %v, want an *Error naming c.go:5:1", name, err)
		}
	}
	dir := writeFiles(t, map[string]string{"m.go": "package store\n\nimport \"gorm.io/gorm\"\n\ntype R struct{}\n\nfunc (R) GormConfig() *gorm.Config { return nil }\n"})
	if got, err := Discover(dir); err != nil || got.HasGormConfig {
		t.Fatalf("method GormConfig: got %+v, %v", got, err)
	}
}
