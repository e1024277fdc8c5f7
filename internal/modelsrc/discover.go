// Package modelsrc finds the GORM models of a package from its source, without
// compiling it: what `structmigrate init` writes into cmd/migrate/main.go and
// what the loader's throwaway program imports.
package modelsrc

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
	"sort"
	"strconv"
)

// gormImport is the package whose Model a struct embeds.
const gormImport = "gorm.io/gorm"

// Found is what a models package declares.
type Found struct {
	Package string // the package name, e.g. "models"
	// HasModelsFunc: the package declares func Models() []any (or
	// []interface{}), which lists the models itself.
	HasModelsFunc bool
	// HasGormConfig: the package declares func GormConfig() *gorm.Config,
	// the config its models are migrated with (naming strategy, foreign
	// keys), which the program passes as migrator.Program.GormConfig.
	HasGormConfig bool
	// Types are the exported struct types that are GORM models, sorted.
	// The rule is atlas-provider-gorm's: a struct that embeds gorm.Model,
	// has a field with a gorm: tag, or declares a view (a ViewDef method).
	Types []string
	// UsesProvider: a file imports atlas-provider-gorm's gormschema (views
	// and triggers declared with it), so the program builds the desired
	// schema with the provider's own loader (migrator.Program.Desired).
	UsesProvider bool
}

// ProviderImport is atlas-provider-gorm's package for views and triggers.
const ProviderImport = "ariga.io/atlas-provider-gorm/gormschema"

// Error is a package Discover cannot use, naming the folder and why.
type Error struct {
	Dir    string
	Reason string
}

func (e *Error) Error() string { return e.Dir + ": " + e.Reason }

// Discover parses the Go files of the package in dir that the go command's
// build context selects (GOOS, GOARCH, GOFLAGS' build tags), test files
// excluded. A folder without Go files, a main package, a file that does not
// parse, or a Models function with another signature is an *Error.
func Discover(dir string) (Found, error) {
	ctx := goContext(dir)
	pkg, err := ctx.ImportDir(dir, 0)
	if err != nil {
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return Found{}, &Error{Dir: dir, Reason: "no Go files for this platform and build tags"}
		}
		return Found{}, &Error{Dir: dir, Reason: err.Error()}
	}
	if len(pkg.GoFiles)+len(pkg.CgoFiles) == 0 { // test files alone
		return Found{}, &Error{Dir: dir, Reason: "no Go files for this platform and build tags"}
	}
	if pkg.Name == "main" {
		return Found{}, &Error{Dir: dir, Reason: "package main cannot be imported; the models must be in a package of their own"}
	}
	found := Found{Package: pkg.Name}
	fset := token.NewFileSet()
	files := append(append([]string{}, pkg.GoFiles...), pkg.CgoFiles...)
	// Exported struct types (candidates) and the receivers of ViewDef
	// methods: a view model may have neither a gorm tag nor gorm.Model.
	structs, views := map[string]bool{}, map[string]bool{}
	for _, name := range files {
		path := filepath.Join(dir, name)
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return Found{}, &Error{Dir: dir, Reason: err.Error()}
		}
		gormName := importName(f, gormImport)
		if importName(f, ProviderImport) != "" {
			found.UsesProvider = true
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					if d.Name.Name == "ViewDef" && len(d.Recv.List) == 1 {
						views[receiverName(d.Recv.List[0].Type)] = true
					}
					continue
				}
				switch d.Name.Name {
				case "Models":
					if !isModelsFunc(d) {
						return Found{}, &Error{Dir: dir, Reason: fmt.Sprintf("%s: Models must be func Models() []any to list the models", fset.Position(d.Pos()))}
					}
					found.HasModelsFunc = true
				case "GormConfig":
					if !isGormConfigFunc(d, gormName) {
						return Found{}, &Error{Dir: dir, Reason: fmt.Sprintf("%s: GormConfig must be func GormConfig() *gorm.Config to give the models' GORM config", fset.Position(d.Pos()))}
					}
					found.HasGormConfig = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					// Generic types cannot be listed as &pkg.T{}; aliases name
					// a type declared elsewhere.
					if !ok || !ts.Name.IsExported() || ts.TypeParams != nil || ts.Assign.IsValid() {
						continue
					}
					if st, ok := ts.Type.(*ast.StructType); ok {
						structs[ts.Name.Name] = true
						if isModel(st, gormName) {
							found.Types = append(found.Types, ts.Name.Name)
						}
					}
				}
			}
		}
	}
	for name := range views {
		if structs[name] && !slices.Contains(found.Types, name) {
			found.Types = append(found.Types, name)
		}
	}
	sort.Strings(found.Types)
	return found, nil
}

// importName is the name file f gives the package at path: its alias, or
// the package's own name; "." when dot-imported (its Model is then
// unqualified); "" when f does not import it (or blank).
func importName(f *ast.File, path string) string {
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil || p != path {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" {
				return ""
			}
			return imp.Name.Name
		}
		return "gorm"
	}
	return ""
}

// isModel: the struct embeds gorm.Model (or *gorm.Model) or has a field
// with a gorm: tag.
func isModel(st *ast.StructType, gormName string) bool {
	for _, field := range st.Fields.List {
		if field.Tag != nil {
			if tag, err := strconv.Unquote(field.Tag.Value); err == nil {
				if _, ok := reflect.StructTag(tag).Lookup("gorm"); ok {
					return true
				}
			}
		}
		if len(field.Names) == 0 && gormName != "" {
			typ := field.Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if id, ok := typ.(*ast.Ident); ok && gormName == "." && id.Name == "Model" {
				return true
			}
			if sel, ok := typ.(*ast.SelectorExpr); ok && sel.Sel.Name == "Model" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == gormName {
					return true
				}
			}
		}
	}
	return false
}

// receiverName is the type name of a method's receiver (T or *T).
func receiverName(x ast.Expr) string {
	if star, ok := x.(*ast.StarExpr); ok {
		x = star.X
	}
	if id, ok := x.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// isModelsFunc: func Models() []any or []interface{}, not generic.
func isModelsFunc(d *ast.FuncDecl) bool {
	t := d.Type
	if t.TypeParams != nil || t.Params.NumFields() != 0 || t.Results.NumFields() != 1 {
		return false
	}
	arr, ok := t.Results.List[0].Type.(*ast.ArrayType)
	if !ok || arr.Len != nil {
		return false
	}
	switch elt := arr.Elt.(type) {
	case *ast.Ident:
		return elt.Name == "any"
	case *ast.InterfaceType:
		return elt.Methods.NumFields() == 0
	}
	return false
}

// isGormConfigFunc: func GormConfig() *gorm.Config, gorm being the name
// the file imports gorm.io/gorm by (gormName).
func isGormConfigFunc(d *ast.FuncDecl, gormName string) bool {
	t := d.Type
	if gormName == "" || t.TypeParams != nil || t.Params.NumFields() != 0 || t.Results.NumFields() != 1 {
		return false
	}
	star, ok := t.Results.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	switch x := star.X.(type) {
	case *ast.Ident:
		return gormName == "." && x.Name == "Config"
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		return ok && id.Name == gormName && x.Sel.Name == "Config"
	}
	return false
}
