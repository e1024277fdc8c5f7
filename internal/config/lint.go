package config

import (
	"fmt"
	"math/big"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Lint is the lint policy: the Atlas CLI's `lint` block, at the top level
// of the file and in an env, the env's settings over the top-level ones:
//
//	lint {
//	  latest = 1                        // or: git { base = "main" }
//	  destructive  { error = false }    // per analyzer: does a finding fail the run
//	  data_depend  { error = true }
//	  incompatible { error = true }
//	  condrop      { error = true }
//	}
type Lint struct {
	Latest  int    // the --latest default; 0 when not set
	GitBase string // the --base default; "" when not set
	// Error holds, per Atlas analyzer name, whether its findings are errors
	// (true) or warnings; analyzers not set keep the defaults (lint package).
	Error map[string]bool
}

// Analyzers are the Atlas analyzers a lint block may configure (the ones
// Atlas's SQLite driver runs in the open-source build).
var Analyzers = []string{"destructive", "data_depend", "incompatible", "condrop"}

var (
	lintSchema = func() *hcl.BodySchema {
		s := &hcl.BodySchema{
			Attributes: []hcl.AttributeSchema{{Name: "latest"}},
			Blocks:     []hcl.BlockHeaderSchema{{Type: "git"}},
		}
		for _, a := range Analyzers {
			s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: a})
		}
		return s
	}()
	// git.dir is read so that it gets its own message (structmigrate runs
	// git in the migration directory).
	gitSchema      = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "base"}, {Name: "dir"}}}
	analyzerSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "error", Required: true}}}
)

// lintBlock is a lint block before evaluation.
type lintBlock struct {
	latest  *hcl.Attribute
	gitBase *hcl.Attribute
	errors  map[string]*hcl.Attribute // analyzer name → error attribute
}

// parseLint checks the structure of a lint block.
// parseLintOnce parses b into *out unless its body already had a lint
// block (*seen), which is an error naming both.
func parseLintOnce(b *hcl.Block, seen **hcl.Block, out **lintBlock) hcl.Diagnostics {
	if *seen != nil {
		return hcl.Diagnostics{duplicate(b.DefRange, "lint block", (*seen).DefRange)}
	}
	*seen = b
	l, diags := parseLint(b)
	*out = l
	return diags
}

func parseLint(b *hcl.Block) (*lintBlock, hcl.Diagnostics) {
	l := &lintBlock{errors: make(map[string]*hcl.Attribute)}
	c, diags := b.Body.Content(lintSchema)
	if c == nil {
		return l, diags
	}
	l.latest = c.Attributes["latest"]
	seen := make(map[string]*hcl.Block)
	for _, blk := range c.Blocks {
		if prev, ok := seen[blk.Type]; ok {
			diags = append(diags, duplicate(blk.DefRange, blk.Type+" block", prev.DefRange))
			continue
		}
		seen[blk.Type] = blk
		if blk.Type == "git" {
			gc, ds := blk.Body.Content(gitSchema)
			diags = append(diags, ds...)
			if gc == nil {
				continue
			}
			if d := gc.Attributes["dir"]; d != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unsupported argument",
					Detail:   "git.dir is not supported: structmigrate runs git in the migration directory.",
					Subject:  d.NameRange.Ptr(),
				})
			}
			l.gitBase = gc.Attributes["base"]
			continue
		}
		ac, ds := blk.Body.Content(analyzerSchema)
		diags = append(diags, ds...)
		if ac != nil && ac.Attributes["error"] != nil {
			l.errors[blk.Type] = ac.Attributes["error"]
		}
	}
	if l.latest != nil && l.gitBase != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting arguments",
			Detail:   "A lint block sets either latest or git.base, not both.",
			Subject:  l.gitBase.NameRange.Ptr(),
		})
	}
	return l, diags
}

// evalLint evaluates a lint block (nil: none).
func (ev *evaluator) evalLint(l *lintBlock) (*Lint, hcl.Diagnostics) {
	if l == nil {
		return nil, nil
	}
	out := &Lint{}
	var diags hcl.Diagnostics
	value := func(a *hcl.Attribute, want cty.Type, what string) (cty.Value, bool) {
		v, ds := a.Expr.Value(ev.ctx)
		if ds.HasErrors() {
			diags = append(diags, ds...)
			return cty.NilVal, false
		}
		v, _ = v.UnmarkDeep()
		cv, err := convert.Convert(v, want)
		if err != nil || cv.IsNull() || !cv.IsWhollyKnown() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Incorrect attribute value type",
				Detail:   fmt.Sprintf("lint: %s must be a %s, not %s.", what, want.FriendlyName(), typeName(v)),
				Subject:  a.Expr.Range().Ptr(),
			})
			return cty.NilVal, false
		}
		return cv, true
	}
	if l.latest != nil {
		if v, ok := value(l.latest, cty.Number, "latest"); ok {
			n, acc := v.AsBigFloat().Int64()
			if acc != big.Exact || n < 0 || n > 1<<31 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid value",
					Detail:   "lint: latest must be a whole number of files, 0 or more.",
					Subject:  l.latest.Expr.Range().Ptr(),
				})
			} else {
				out.Latest = int(n)
			}
		}
	}
	if l.gitBase != nil {
		if v, ok := value(l.gitBase, cty.String, "git.base"); ok {
			out.GitBase = v.AsString()
		}
	}
	names := make([]string, 0, len(l.errors))
	for name := range l.errors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if v, ok := value(l.errors[name], cty.Bool, name+".error"); ok {
			if out.Error == nil {
				out.Error = make(map[string]bool)
			}
			out.Error[name] = v.True()
		}
	}
	return out, diags
}

// merge returns the env's policy over the top-level one. As in the Atlas
// CLI (Lint.Extend), the env's analyzer settings, when it has any, replace
// the top-level ones as a whole, and the env's latest or git.base replace
// the top-level selection.
func merge(env, global *Lint) Lint {
	switch {
	case env == nil && global == nil:
		return Lint{}
	case env == nil:
		return *global
	case global == nil:
		return *env
	}
	out := *env
	if out.Error == nil {
		out.Error = global.Error
	}
	if out.Latest == 0 && out.GitBase == "" {
		out.Latest, out.GitBase = global.Latest, global.GitBase
	}
	return out
}

// evalExclude evaluates an env's exclude: a list of Atlas glob patterns of
// tables ("audit_log", "audit_*"), each checked for syntax. Columns
// ("t.column") are refused: a rebuild of a model's table, planned from the
// structs, would drop a column the plan does not see.
func (ev *evaluator) evalExclude(e *envBlock) ([]string, hcl.Diagnostics) {
	if e.exclude == nil {
		return nil, nil
	}
	v, diags := e.exclude.Expr.Value(ev.ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	v, _ = v.UnmarkDeep()
	bad := func(detail string) hcl.Diagnostics {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid exclude",
			Detail:   fmt.Sprintf("env %q: %s", e.name, detail),
			Subject:  e.exclude.Expr.Range().Ptr(),
		}}
	}
	lv, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || lv.IsNull() || !lv.IsWhollyKnown() {
		return nil, bad(fmt.Sprintf("exclude must be a list of strings, not %s.", typeName(v)))
	}
	var out []string
	for it := lv.ElementIterator(); it.Next(); {
		_, p := it.Element()
		if p.IsNull() || p.AsString() == "" {
			return nil, bad("exclude holds an empty pattern.")
		}
		if strings.Contains(p.AsString(), ".") {
			return nil, bad(fmt.Sprintf("exclude pattern %q: only tables can be excluded (a glob of table names, no schema or column).", p.AsString()))
		}
		if _, err := filepath.Match(p.AsString(), ""); err != nil {
			return nil, bad(fmt.Sprintf("exclude pattern %q: %v.", p.AsString(), err))
		}
		out = append(out, p.AsString())
	}
	return out, nil
}
