package loader

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writePkg writes files into a fresh folder and returns it.
func writePkg(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDiscover(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  Found
	}{
		{
			name: "models by provider rule",
			files: map[string]string{
				"a.go": `package models

import g "gorm.io/gorm"

type Zebra struct{ g.Model }           // embeds gorm.Model under another name
type Author struct{ ID uint ` + "`gorm:\"primaryKey\"`" + ` }
type Plain struct{ ID uint }            // no gorm tag: not a model
type hidden struct{ ID uint ` + "`gorm:\"primaryKey\"`" + ` }
type Generic[T any] struct{ V T ` + "`gorm:\"x\"`" + ` }
type Alias = Author
type Ptr struct{ *g.Model }
`,
				"b_test.go": "package models\n\ntype InTest struct{ X int `gorm:\"x\"` }\n",
				"c.go":      "//go:build ignore\n\npackage models\n\ntype Ignored struct{ X int `gorm:\"x\"` }\n",
				"d.go":      "package models\n\ntype Other struct{ Model int }\n\ntype Book struct {\n\tTitle string `json:\"t\" gorm:\"not null\"`\n}\n",
			},
			want: Found{Package: "models", Types: []string{"Author", "Book", "Ptr", "Zebra"}},
		},
		{
			name: "a struct named Model of another package is not gorm.Model",
			files: map[string]string{
				"a.go": "package models\n\nimport \"example.com/base\"\n\ntype User struct{ base.Model }\n",
			},
			want: Found{Package: "models"},
		},
		{
			name: "Models function",
			files: map[string]string{
				"a.go": "package store\n\ntype A struct{ ID uint `gorm:\"primaryKey\"` }\n\nfunc Models() []any { return []any{&A{}} }\n",
			},
			want: Found{Package: "store", HasModelsFunc: true, Types: []string{"A"}},
		},
		{
			name: "interface{} result counts, other signatures do not",
			files: map[string]string{
				"a.go": "package store\n\nfunc Models() []interface{} { return nil }\n",
				"b.go": "package store\n\ntype T struct{}\n\nfunc (T) Models() []any { return nil }\n",
			},
			want: Found{Package: "store", HasModelsFunc: true},
		},
		{
			name: "a Models with parameters is not the list",
			files: map[string]string{
				"a.go": "package store\n\nfunc Models(n int) []any { return nil }\n",
			},
			want: Found{Package: "store"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Discover(writePkg(t, tc.files))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no Go files", map[string]string{"README": "x"}, "no Go files"},
		{"only tests", map[string]string{"a_test.go": "package m\n"}, "no Go files"},
		{"package main", map[string]string{"main.go": "package main\n\nfunc main() {}\n"}, "package main cannot be imported"},
		{"two packages", map[string]string{"a.go": "package a\n", "b.go": "package b\n"}, "found packages a (a.go) and b (b.go)"},
		{"syntax error", map[string]string{"a.go": "package m\n\ntype X struct {\n"}, "a.go:3:17"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Discover(writePkg(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
