// Package config reads the project file, atlas.hcl: the subset of the Atlas
// CLI's project-file format that structmigrate uses, parsed with the HCL
// library the Atlas CLI itself uses, so one file serves both tools.
//
// Supported, and nothing else (anything else is an error with its position):
//
//	locals { name = expr ... }                       // any number of blocks; local.name
//	data "external_schema" "NAME" { program = [...] } // value: { url = "external_schema://NAME" }
//	lint { ... }                                     // the lint policy (lint.go)
//	env "NAME" {
//	  url = expr   // sqlite:// or postgres:// (checked for the loaded env)
//	  dev = expr
//	  src = expr
//	  exclude = [...]  // tables no model owns: ignored by diff, status and lint
//	  migration {
//	    dir      = expr // file:// only
//	    baseline = expr
//	  }
//	  lint { ... }     // over the top-level lint block
//	  restore_points { dir = expr, keep = N, max_size = "5GB" } // restore.go
//	}
//
// Expressions are HCL native syntax (interpolation, conditionals, ...) with
// one function, getenv(name), which returns "" for an unset variable, as in
// the Atlas CLI. An unset or empty variable may be tested (a conditional's
// condition), but one whose "" reaches a value of the loaded env is an
// error naming it: "sqlite://${getenv("TENANT")}.db" must not mean ".db".
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/structmigrate/structmigrate/internal/dialect"
)

// Env is one resolved `env` block.
type Env struct {
	Name     string
	URL      string       // as written after evaluation, e.g. "sqlite://./storage/players-sqlite3.db"
	Dialect  dialect.Name // by the url's scheme; SQLite without url
	DBPath   string       // file path from URL ("" when InMemory)
	InMemory bool         // URL has mode=memory
	Dev      string
	Src      string // e.g. the external_schema data source URL, may be ""
	Dir      string // migration dir path, "file://" stripped, "" if not set
	Baseline string // migration { baseline = "..." }, "" if not set
	// Exclude lists Atlas glob patterns of tables that no model owns, e.g.
	// an audit table created by hand.
	Exclude []string
	Lint    Lint // the top-level lint block, then the env's
	// Restore is the restore_points block: where and how many copies of
	// the database apply and rollback keep.
	Restore RestorePoints
}

// Load parses the HCL source (filename is used in error positions) and resolves env name.
// getenv is used for the getenv("X") function (pass os.Getenv in production; tests pass a map lookup).
// A nil getenv means os.Getenv.
//
// Every expression of the file is evaluated (so a typo in any env is
// reported), but only the loaded env's url and migration dir are validated:
// loading "local" does not fail because "prod" needs STORAGE_PATH.
func Load(filename string, src []byte, name string, getenv func(string) string) (*Env, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	f, err := parse(filename, src)
	if err != nil {
		return nil, err
	}
	var blk *envBlock
	for _, e := range f.envs {
		if e.name == name {
			blk = e
		}
	}
	if blk == nil {
		return nil, unknownEnv(filename, name, f.envs)
	}
	ev := newEvaluator(f, getenv)
	if err := ev.evalLocals(); err != nil {
		return nil, err
	}
	if err := ev.evalData(); err != nil {
		return nil, err
	}
	var (
		selected *resolved
		diags    hcl.Diagnostics
	)
	ev.lint, diags = ev.evalLint(f.lint)
	for _, e := range f.envs {
		r, ds := ev.evalEnv(e)
		diags = append(diags, ds...)
		if e == blk {
			selected = r
		}
	}
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	return selected.validate()
}

// Names lists the env names defined in the file, in file order.
// The file's structure is checked (unknown blocks or attributes are errors),
// but no expression is evaluated.
func Names(filename string, src []byte) ([]string, error) {
	f, err := parse(filename, src)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.envs))
	for _, e := range f.envs {
		names = append(names, e.name)
	}
	return names, nil
}

// Schemas of the supported subset.
var (
	fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "locals"},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "env", LabelNames: []string{"name"}},
		{Type: "lint"},
	}}
	envSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "url"}, {Name: "dev"}, {Name: "src"}, {Name: "exclude"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "migration"}, {Type: "lint"}, {Type: "restore_points"}},
	}
	migrationSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "dir"}, {Name: "baseline"}},
	}
	externalSchemaSchema = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "program", Required: true}},
	}
)

// The only supported data source type.
const externalSchema = "external_schema"

// file is the structure of a project file, before evaluation.
type file struct {
	locals []*hcl.Attribute // file order
	data   []*dataBlock
	envs   []*envBlock
	lint   *lintBlock // top-level
}

type dataBlock struct {
	name    string
	program *hcl.Attribute
}

type envBlock struct {
	name      string
	defRange  hcl.Range
	url       *hcl.Attribute
	dev       *hcl.Attribute
	src       *hcl.Attribute
	dir       *hcl.Attribute
	baseline  *hcl.Attribute
	exclude   *hcl.Attribute
	lint      *lintBlock
	restore   *restoreBlock
	migration bool
}

// parse checks the structure of the file against the supported subset.
func parse(filename string, src []byte) (*file, error) {
	hf, diags := hclparse.NewParser().ParseHCL(src, filename)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	content, diags := hf.Body.Content(fileSchema)
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	var (
		f       = &file{}
		locals  = make(map[string]*hcl.Attribute)
		dataDef = make(map[string]*hcl.Block)
		envDef  = make(map[string]*hcl.Block)
		lintDef *hcl.Block
	)
	for _, b := range content.Blocks {
		switch b.Type {
		case "locals":
			attrs, ds := b.Body.JustAttributes()
			diags = append(diags, ds...)
			for _, a := range sortAttrs(attrs) {
				if prev, ok := locals[a.Name]; ok {
					diags = append(diags, duplicate(a.NameRange, fmt.Sprintf("local.%s", a.Name), prev.NameRange))
					continue
				}
				locals[a.Name] = a
				f.locals = append(f.locals, a)
			}
		case "data":
			if b.Labels[0] != externalSchema {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unsupported data source",
					Detail:   fmt.Sprintf("Data source type %q is not supported (only %q is).", b.Labels[0], externalSchema),
					Subject:  b.LabelRanges[0].Ptr(),
				})
				continue
			}
			if prev, ok := dataDef[b.Labels[1]]; ok {
				diags = append(diags, duplicate(b.LabelRanges[1], fmt.Sprintf("data.%s.%s", externalSchema, b.Labels[1]), prev.DefRange))
				continue
			}
			dataDef[b.Labels[1]] = b
			c, ds := b.Body.Content(externalSchemaSchema)
			diags = append(diags, ds...)
			f.data = append(f.data, &dataBlock{name: b.Labels[1], program: c.Attributes["program"]})
		case "lint":
			diags = append(diags, parseLintOnce(b, &lintDef, &f.lint)...)
		case "env":
			if prev, ok := envDef[b.Labels[0]]; ok {
				diags = append(diags, duplicate(b.LabelRanges[0], fmt.Sprintf("env %q", b.Labels[0]), prev.DefRange))
				continue
			}
			envDef[b.Labels[0]] = b
			e, ds := parseEnv(b)
			diags = append(diags, ds...)
			f.envs = append(f.envs, e)
		}
	}
	if diags.HasErrors() {
		return nil, diagError(diags)
	}
	return f, nil
}

func parseEnv(b *hcl.Block) (*envBlock, hcl.Diagnostics) {
	e := &envBlock{name: b.Labels[0], defRange: b.DefRange}
	c, diags := b.Body.Content(envSchema)
	if c == nil {
		return e, diags
	}
	e.url, e.dev, e.src = c.Attributes["url"], c.Attributes["dev"], c.Attributes["src"]
	e.exclude = c.Attributes["exclude"]
	var first, lint, restore *hcl.Block
	for _, m := range c.Blocks {
		if m.Type == "lint" {
			diags = append(diags, parseLintOnce(m, &lint, &e.lint)...)
			continue
		}
		if m.Type == "restore_points" {
			if restore != nil {
				diags = append(diags, duplicate(m.DefRange, "restore_points block", restore.DefRange))
				continue
			}
			restore = m
			r, ds := parseRestore(m)
			diags = append(diags, ds...)
			e.restore = r
			continue
		}
		if first != nil {
			diags = append(diags, duplicate(m.DefRange, "migration block", first.DefRange))
			continue
		}
		first = m
		e.migration = true
		mc, ds := m.Body.Content(migrationSchema)
		diags = append(diags, ds...)
		if mc != nil {
			e.dir, e.baseline = mc.Attributes["dir"], mc.Attributes["baseline"]
		}
	}
	return e, diags
}

// sortAttrs returns the attributes in source order (hcl.Attributes is a map).
func sortAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	s := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		s = append(s, a)
	}
	sort.Slice(s, func(i, j int) bool { return s[i].Range.Start.Byte < s[j].Range.Start.Byte })
	return s
}

func duplicate(at hcl.Range, what string, prev hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate definition",
		Detail:   fmt.Sprintf("%s was already defined at %s.", what, pos(prev)),
		Subject:  at.Ptr(),
	}
}

func unknownEnv(filename, name string, envs []*envBlock) error {
	if len(envs) == 0 {
		return fmt.Errorf("env %q is not defined in %s (it defines no env blocks)", name, filename)
	}
	names := make([]string, len(envs))
	for i, e := range envs {
		names[i] = e.name
	}
	return fmt.Errorf("env %q is not defined in %s (defined: %s)", name, filename, strings.Join(names, ", "))
}

// evaluator evaluates the expressions of a parsed file.
type evaluator struct {
	f      *file
	ctx    *hcl.EvalContext
	getenv func(string) string
	// reads records the unset or empty variables read by getenv while it is not nil.
	reads *[]string
	// Per local: its value and the unset getenv names it read, directly or through other locals.
	localVals map[string]cty.Value
	localEnv  map[string][]string
	lint      *Lint // the top-level lint block, evaluated
}

func newEvaluator(f *file, getenv func(string) string) *evaluator {
	ev := &evaluator{
		f:         f,
		getenv:    getenv,
		localVals: make(map[string]cty.Value),
		localEnv:  make(map[string][]string),
	}
	// The value of data.external_schema.NAME does not depend on its body,
	// so it is known before locals, which may reference it.
	schemas := make(map[string]cty.Value, len(f.data))
	for _, d := range f.data {
		schemas[d.name] = cty.ObjectVal(map[string]cty.Value{
			"url": cty.StringVal(externalSchema + "://" + d.name),
		})
	}
	data := cty.EmptyObjectVal
	if len(schemas) > 0 {
		data = cty.ObjectVal(map[string]cty.Value{externalSchema: cty.ObjectVal(schemas)})
	}
	ev.ctx = &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"local": cty.EmptyObjectVal,
			"data":  data,
		},
		Functions: map[string]function.Function{
			"getenv": function.New(&function.Spec{
				Params: []function.Parameter{{Name: "name", Type: cty.String}},
				Type:   function.StaticReturnType(cty.String),
				Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
					name := args[0].AsString()
					v := ev.getenv(name)
					if v != "" {
						return cty.StringVal(v), nil
					}
					if ev.reads != nil {
						*ev.reads = append(*ev.reads, name)
					}
					// The mark follows the "" through interpolation and
					// functions, but not out of a conditional's condition
					// (HCL unmarks it): a tested variable is no error.
					return cty.StringVal("").Mark(unsetVar(name)), nil
				},
			}),
		},
	}
	return ev
}

// evalLocals evaluates every local, each after the locals it references.
func (ev *evaluator) evalLocals() error {
	attrs := make(map[string]*hcl.Attribute, len(ev.f.locals))
	for _, a := range ev.f.locals {
		attrs[a.Name] = a
	}
	var (
		diags    hcl.Diagnostics
		failed   = make(map[string]bool)
		progress = make(map[string]bool)
		visit    func(a *hcl.Attribute) bool
	)
	visit = func(a *hcl.Attribute) bool {
		if _, ok := ev.localVals[a.Name]; ok {
			return true
		}
		if failed[a.Name] {
			return false
		}
		progress[a.Name] = true
		defer delete(progress, a.Name)
		var env []string
		for _, t := range a.Expr.Variables() {
			dep, rng := localRef(t)
			da, ok := attrs[dep]
			if !ok {
				continue // evaluation reports the unknown reference
			}
			if progress[dep] {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Cyclic reference",
					Detail:   fmt.Sprintf("local.%s refers to local.%s, which refers back to it.", a.Name, dep),
					Subject:  rng.Ptr(),
				})
				failed[a.Name] = true
				return false
			}
			if !visit(da) {
				failed[a.Name] = true
				return false
			}
			env = append(env, ev.localEnv[dep]...)
		}
		ev.reads = &env
		v, ds := a.Expr.Value(ev.ctx)
		ev.reads = nil
		if ds.HasErrors() {
			diags = append(diags, ds...)
			failed[a.Name] = true
			return false
		}
		ev.localVals[a.Name] = v
		ev.localEnv[a.Name] = env
		ev.ctx.Variables["local"] = cty.ObjectVal(ev.localVals)
		return true
	}
	for _, a := range ev.f.locals {
		visit(a)
	}
	if diags.HasErrors() {
		return diagError(diags)
	}
	return nil
}

// localRef returns the local named by a traversal like local.NAME or
// local["NAME"], and the range of the reference; "" if it is not one.
func localRef(t hcl.Traversal) (string, hcl.Range) {
	if t.RootName() != "local" || len(t) < 2 {
		return "", hcl.Range{}
	}
	switch s := t[1].(type) {
	case hcl.TraverseAttr:
		return s.Name, t.SourceRange()
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
			return s.Key.AsString(), t.SourceRange()
		}
	}
	return "", hcl.Range{}
}

// evalData checks that each external_schema program is a non-empty list of strings.
func (ev *evaluator) evalData() error {
	var diags hcl.Diagnostics
	for _, d := range ev.f.data {
		v, ds := d.program.Expr.Value(ev.ctx)
		if ds.HasErrors() {
			diags = append(diags, ds...)
			continue
		}
		if v, _ = v.UnmarkDeep(); validProgram(v) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid program",
			Detail:   fmt.Sprintf("data.%s.%s: program must be a non-empty list of strings.", externalSchema, d.name),
			Subject:  d.program.Expr.Range().Ptr(),
		})
	}
	if diags.HasErrors() {
		return diagError(diags)
	}
	return nil
}

// validProgram reports whether v is a non-empty list of strings.
func validProgram(v cty.Value) bool {
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() || !lv.IsWhollyKnown() || lv.LengthInt() == 0 {
		return false
	}
	for it := lv.ElementIterator(); it.Next(); {
		if _, e := it.Element(); e.IsNull() {
			return false
		}
	}
	return true
}

// resolved is an env whose expressions were evaluated.
type resolved struct {
	Env
	urlAttr, dirAttr *hcl.Attribute
	urlEnv           []string // unset getenv names read (tested) while evaluating url
	unset            error    // *UnsetError: an attribute holds an unset variable's ""
}

func (ev *evaluator) evalEnv(e *envBlock) (*resolved, hcl.Diagnostics) {
	r := &resolved{Env: Env{Name: e.name}, urlAttr: e.url, dirAttr: e.dir}
	var diags hcl.Diagnostics
	str := func(a *hcl.Attribute, what string, reads *[]string) string {
		if a == nil {
			return ""
		}
		if reads != nil {
			// getenv calls made by the locals the expression references.
			for _, t := range a.Expr.Variables() {
				if name, _ := localRef(t); name != "" {
					*reads = append(*reads, ev.localEnv[name]...)
				}
			}
		}
		ev.reads = reads
		v, ds := a.Expr.Value(ev.ctx)
		ev.reads = nil
		if ds.HasErrors() {
			diags = append(diags, ds...)
			return ""
		}
		v, marks := v.UnmarkDeep()
		if len(marks) > 0 && r.unset == nil {
			r.unset = &UnsetError{At: pos(a.Expr.Range()), Env: e.name, Attr: what, Vars: unsetNames(marks)}
		}
		s, err := convert.Convert(v, cty.String)
		if err != nil || s.IsNull() || !s.IsKnown() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Incorrect attribute value type",
				Detail:   fmt.Sprintf("env %q: %s must be a string, not %s.", e.name, what, typeName(v)),
				Subject:  a.Expr.Range().Ptr(),
			})
			return ""
		}
		return s.AsString()
	}
	r.URL = str(e.url, "url", &r.urlEnv)
	r.Dev = str(e.dev, "dev", nil)
	r.Src = str(e.src, "src", nil)
	r.Dir = str(e.dir, "migration.dir", nil)
	r.Baseline = str(e.baseline, "migration.baseline", nil)
	if e.restore != nil {
		r.Restore.Dir = str(e.restore.dir, "restore_points.dir", nil)
		rp, ds := ev.evalRestore(e.name, e.restore)
		diags = append(diags, ds...)
		r.Restore.Keep, r.Restore.MaxBytes = rp.Keep, rp.MaxBytes
	}
	exclude, ds := ev.evalExclude(e)
	diags = append(diags, ds...)
	r.Exclude = exclude
	envLint, ds := ev.evalLint(e.lint)
	diags = append(diags, ds...)
	r.Lint = merge(envLint, ev.lint)
	return r, diags
}

func typeName(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().FriendlyName()
}

// validate checks the url and migration dir of the loaded env and splits them.
func (r *resolved) validate() (*Env, error) {
	if r.unset != nil {
		return nil, r.unset
	}
	e := r.Env
	e.Dialect = dialect.SQLite
	if r.urlAttr != nil {
		at := pos(r.urlAttr.Expr.Range())
		n, ok := dialect.Of(e.URL)
		if !ok {
			if len(r.urlEnv) > 0 { // e.g. prod's url when STORAGE_PATH is unset
				return nil, &UnsetError{At: at, Env: e.Name, Attr: "url", Vars: uniq(r.urlEnv), URL: e.URL}
			}
			return nil, fmt.Errorf("%s: env %q: url %q is not supported (only sqlite:// and postgres:// URLs are)", at, e.Name, e.URL)
		}
		e.Dialect = n
	}
	if r.urlAttr != nil && e.Dialect == dialect.Postgres {
		at := pos(r.urlAttr.Expr.Range())
		u, err := url.Parse(e.URL)
		if err != nil {
			// url.Error repeats the url, which may hold a password.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("%s: env %q: url is not a valid postgres:// URL: %v", at, e.Name, err)
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return nil, fmt.Errorf("%s: env %q: url %q names no server", at, e.Name, u.Redacted())
		}
		if u.Query().Has("search_path") {
			// The Atlas CLI then keeps its revisions in that schema;
			// structmigrate keeps them where the CLI does without it.
			return nil, fmt.Errorf("%s: env %q: url %q sets search_path, which is not supported (the files run in the connected user's default schema, revisions go to the schema atlas_schema_revisions)", at, e.Name, u.Redacted())
		}
	}
	if r.urlAttr != nil && e.Dialect == dialect.SQLite {
		at := pos(r.urlAttr.Expr.Range())
		path, rawQuery, _ := strings.Cut(strings.TrimPrefix(e.URL, "sqlite://"), "?")
		query, err := url.ParseQuery(rawQuery)
		if err != nil {
			return nil, fmt.Errorf("%s: env %q: url %q has an invalid query: %v", at, e.Name, e.URL, err)
		}
		e.InMemory = query.Get("mode") == "memory"
		switch {
		case e.InMemory:
		case path == "" && len(r.urlEnv) > 0:
			return nil, &UnsetError{At: at, Env: e.Name, Attr: "url", Vars: uniq(r.urlEnv), URL: e.URL}
		case path == "":
			return nil, fmt.Errorf("%s: env %q: url %q has no database path", at, e.Name, e.URL)
		default:
			e.DBPath = path
		}
	}
	if r.dirAttr != nil {
		const scheme = "file://"
		at := pos(r.dirAttr.Expr.Range())
		switch dir := e.Dir; {
		case !strings.HasPrefix(dir, scheme):
			return nil, fmt.Errorf("%s: env %q: migration dir %q is not supported (only file:// URLs are)", at, e.Name, dir)
		case strings.Contains(dir, "?"):
			return nil, fmt.Errorf("%s: env %q: migration dir %q has a query, which is not supported", at, e.Name, dir)
		case dir == scheme:
			return nil, fmt.Errorf("%s: env %q: migration dir %q has no path", at, e.Name, dir)
		default:
			e.Dir = strings.TrimPrefix(dir, scheme)
		}
	}
	return &e, nil
}

// uniq returns names sorted, without repeats.
func uniq(names []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// unsetVar marks the "" getenv returns for the named unset or empty variable.
type unsetVar string

// UnsetError reports an attribute of the loaded env whose value holds the ""
// of an unset or empty environment variable.
type UnsetError struct {
	At   string // file:line:col of the expression
	Env  string
	Attr string   // url, dev, src, migration.dir, migration.baseline, restore_points.dir
	Vars []string // the variables, sorted
	// URL is set when the variables were only tested, and the url the
	// file chose for their absence is not one structmigrate can open.
	URL string
}

func (e *UnsetError) Error() string {
	verb := "is"
	if len(e.Vars) > 1 {
		verb = "are"
	}
	msg := fmt.Sprintf("%s: env %q: %s uses $%s, which %s not set (or empty)", e.At, e.Env, e.Attr, strings.Join(e.Vars, ", $"), verb)
	if e.URL != "" {
		msg += fmt.Sprintf(" (url %q)", e.URL)
	}
	return msg
}

func unsetNames(marks cty.ValueMarks) []string {
	var names []string
	for m := range marks {
		if n, ok := m.(unsetVar); ok {
			names = append(names, string(n))
		}
	}
	sort.Strings(names)
	return names
}

// pos formats the start of a range as file:line:col.
func pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// diagError formats the error diagnostics one line each,
// "file:line:col: summary; detail", joined with "; ".
func diagError(diags hcl.Diagnostics) error {
	var errs hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	// HCL reports some diagnostics in map order: sort them by position.
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Subject, errs[j].Subject
		switch {
		case a == nil || b == nil:
			return a != nil && b == nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		default:
			return a.Start.Byte < b.Start.Byte
		}
	})
	var lines []string
	for _, d := range errs {
		var b strings.Builder
		if d.Subject != nil {
			b.WriteString(pos(*d.Subject) + ": ")
		}
		b.WriteString(oneLine(d.Summary))
		if detail := oneLine(d.Detail); detail != "" {
			b.WriteString("; " + detail)
		}
		lines = append(lines, b.String())
	}
	if len(lines) == 0 {
		return errors.New("invalid configuration")
	}
	return errors.New(strings.Join(lines, "; "))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
