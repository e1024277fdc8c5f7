// Package loader runs the command line against a models package of the
// user's own module, with no code to write: it compiles a throwaway main
// that imports the package and calls migrator.Main, and runs it. As
// atlas-provider-gorm's loader does, it always builds from the current
// sources, so it never answers for stale structs.
package loader

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// gormImport is GORM's import path: a struct that embeds its Model is a model.
const gormImport = "gorm.io/gorm"

// Found is what a models package declares.
type Found struct {
	Package       string   // the package name
	HasModelsFunc bool     // it declares func Models() []any
	Types         []string // its exported GORM models, sorted
}

// Discover reads the Go package in dir (build tags as `go build` applies
// them, no test files). A model is what atlas-provider-gorm takes for one:
// an exported, non-generic struct type that embeds gorm.Model or has a
// field with a `gorm` tag. A package that declares `func Models() []any`
// chooses its models itself (and their order).
func Discover(dir string) (Found, error) {
	pkg, err := build.Default.ImportDir(dir, 0)
	var noGo *build.NoGoError
	switch {
	case errors.As(err, &noGo), err == nil && len(pkg.GoFiles) == 0:
		return Found{}, fmt.Errorf("%s: no Go files (want the package that declares the GORM models)", dir)
	case err != nil:
		return Found{}, fmt.Errorf("%s: %w", dir, err)
	case pkg.Name == "main":
		return Found{}, fmt.Errorf("%s: package main cannot be imported; move the models to a package of their own", dir)
	}
	f := Found{Package: pkg.Name}
	fset := token.NewFileSet()
	for _, name := range pkg.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return Found{}, err // parser errors name file:line:col
		}
		gorm := importName(file, gormImport)
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "Models" && isModelsFunc(d.Type) {
					f.HasModelsFunc = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() || ts.TypeParams != nil || ts.Assign.IsValid() {
						continue
					}
					if st, ok := ts.Type.(*ast.StructType); ok && isModel(st, gorm) {
						f.Types = append(f.Types, ts.Name.Name)
					}
				}
			}
		}
	}
	slices.Sort(f.Types)
	return f, nil
}

// isModelsFunc reports whether t is func() []any (or []interface{}).
func isModelsFunc(t *ast.FuncType) bool {
	if t.TypeParams != nil || (t.Params != nil && len(t.Params.List) > 0) || t.Results == nil || len(t.Results.List) != 1 || len(t.Results.List[0].Names) > 1 {
		return false
	}
	arr, ok := t.Results.List[0].Type.(*ast.ArrayType)
	if !ok || arr.Len != nil {
		return false
	}
	switch e := arr.Elt.(type) {
	case *ast.Ident:
		return e.Name == "any"
	case *ast.InterfaceType:
		return len(e.Methods.List) == 0
	}
	return false
}

// isModel reports whether st embeds gorm.Model (gorm: the local name of
// GORM's import, "" when the file does not import it) or has a gorm tag.
func isModel(st *ast.StructType, gorm string) bool {
	for _, fld := range st.Fields.List {
		if len(fld.Names) == 0 && gorm != "" {
			t := fld.Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if sel, ok := t.(*ast.SelectorExpr); ok && sel.Sel.Name == "Model" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == gorm {
					return true
				}
			}
		}
		if fld.Tag != nil {
			if tag, err := strconv.Unquote(fld.Tag.Value); err == nil {
				if _, ok := reflect.StructTag(tag).Lookup("gorm"); ok {
					return true
				}
			}
		}
	}
	return false
}

// importName returns the name file uses for the package at path, "" when
// it does not import it.
func importName(file *ast.File, path string) string {
	for _, imp := range file.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err != nil || p != path {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return path[strings.LastIndexByte(path, '/')+1:]
	}
	return ""
}
