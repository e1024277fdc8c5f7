package lint

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// merged reports migration files that exist on the base and were edited,
// deleted or renamed since: every database that applied them records their
// version and hash, so `status` and `apply` then refuse those databases
// (or, for a file renamed to a new version, apply it a second time).
// Only top-level .sql files count; down scripts and atlas.sum may change.
func merged(o Options, files []migrate.File, isNew map[string]bool, r *Report) error {
	if o.Base == "" {
		return nil
	}
	lines, err := git(o.Dir.Path(), "diff", "--name-status", "--no-renames", "--relative", o.Base, "--", ".")
	if err != nil {
		return err
	}
	current := make(map[string]migrate.File, len(files))
	for _, f := range files {
		current[f.Name()] = f
	}
	for _, l := range lines {
		st, name, ok := strings.Cut(l, "\t")
		if !ok || !isUpFile(name) || (st != "M" && st != "D" && st != "T") {
			continue
		}
		old, err := gitShow(o.Dir.Path(), o.Base, name)
		if err != nil {
			return err
		}
		path := filepath.Join(o.Dir.Path(), name)
		d := Diagnostic{Rule: RuleHistory, Code: CodeMergedChanged, File: path}
		switch f, ok := current[name]; {
		case ok:
			d.Line = firstDiff(old, f.Bytes())
			d.Message = fmt.Sprintf("%s exists on the base (%s) and was edited: databases that applied it no longer match the directory", name, o.Base)
		default:
			if to := renamedTo(name, old, files, isNew); to != "" {
				d.Message = fmt.Sprintf("%s exists on the base (%s) and was renamed to %s: databases that applied it would apply it again", name, o.Base, to)
			} else {
				d.Message = fmt.Sprintf("%s exists on the base (%s) and was deleted: databases that applied it no longer match the directory", name, o.Base)
			}
		}
		r.Add(d)
	}
	return nil
}

// isUpFile reports whether a path relative to the directory names one of
// its migration files (not a down script, not atlas.sum).
func isUpFile(name string) bool {
	return strings.HasSuffix(name, ".sql") && !strings.Contains(name, "/")
}

// renamedTo returns the new file that holds the deleted one: the same
// content, or the same name after the version (a file regenerated with a
// newer timestamp).
func renamedTo(name string, old []byte, files []migrate.File, isNew map[string]bool) string {
	_, desc, _ := strings.Cut(name, "_")
	for _, f := range files {
		if !isNew[f.Name()] {
			continue
		}
		if bytes.Equal(f.Bytes(), old) || (desc != "" && f.Desc() == strings.TrimSuffix(desc, ".sql")) {
			return f.Name()
		}
	}
	return ""
}

// firstDiff returns the first line (1-based) where a and b differ.
func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return migdir.Line(b, i)
}

// gitShow returns the content of name, relative to dir, at ref.
func gitShow(dir, ref, name string) ([]byte, error) {
	cmd := exec.Command("git", "-C", dir, "--no-pager", "show", ref+":./"+name)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git show %s:./%s: %s", ref, name, firstLine(stderr.String(), err.Error()))
	}
	return out.Bytes(), nil
}
