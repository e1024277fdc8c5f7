package config

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/structmigrate/structmigrate/internal/diskspace"
)

// RestorePoints is an env's restore_points block: where apply and rollback
// keep the copies of the database they take before changing it, and how
// many. The Atlas CLI keeps an env's blocks it does not know (its Env
// embeds schemahcl.DefaultExtension) and ignores them, so the file still
// loads there:
//
//	restore_points {
//	  dir      = "/backups/app"  // default: <database>.restore-points beside it
//	  keep     = 10              // default 10
//	  max_size = "5GB"           // default: no cap on their total size
//	}
type RestorePoints struct {
	Dir      string // "" beside the database
	Keep     int    // 0 the default
	MaxBytes uint64 // 0 no cap
}

var restorePointsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "dir"}, {Name: "keep"}, {Name: "max_size"}},
}

// restoreBlock is a restore_points block before evaluation.
type restoreBlock struct {
	dir, keep, maxSize *hcl.Attribute
}

func parseRestore(b *hcl.Block) (*restoreBlock, hcl.Diagnostics) {
	c, diags := b.Body.Content(restorePointsSchema)
	if c == nil {
		return &restoreBlock{}, diags
	}
	return &restoreBlock{dir: c.Attributes["dir"], keep: c.Attributes["keep"], maxSize: c.Attributes["max_size"]}, diags
}

// evalRestore evaluates keep and max_size (dir is a string attribute of the
// env, evaluated with the others).
func (ev *evaluator) evalRestore(env string, b *restoreBlock) (RestorePoints, hcl.Diagnostics) {
	var out RestorePoints
	if b == nil {
		return out, nil
	}
	var diags hcl.Diagnostics
	bad := func(a *hcl.Attribute, detail string) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value",
			Detail:   fmt.Sprintf("env %q: restore_points.%s", env, detail),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	if a := b.keep; a != nil {
		v, ds := a.Expr.Value(ev.ctx)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			v, _ = v.UnmarkDeep()
			cv, err := convert.Convert(v, cty.Number)
			n, acc := int64(0), big.Below
			if err == nil && !cv.IsNull() && cv.IsWhollyKnown() {
				n, acc = cv.AsBigFloat().Int64()
			}
			if acc != big.Exact || n < 1 || n > 1<<20 {
				bad(a, "keep must be a whole number of restore points, 1 or more (to take none, use --no-restore-point).")
			} else {
				out.Keep = int(n)
			}
		}
	}
	if a := b.maxSize; a != nil {
		v, ds := a.Expr.Value(ev.ctx)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			v, _ = v.UnmarkDeep()
			cv, err := convert.Convert(v, cty.String)
			if err != nil || cv.IsNull() || !cv.IsWhollyKnown() {
				bad(a, fmt.Sprintf("max_size must be a size such as \"5GB\", not %s.", typeName(v)))
			} else if n, err := diskspace.ParseSize(cv.AsString()); err != nil {
				bad(a, "max_size: "+err.Error()+".")
			} else {
				out.MaxBytes = n
			}
		}
	}
	return out, diags
}
