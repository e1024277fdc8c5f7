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

// newFiles selects the files under review and the versions the base holds.
//   - Latest N: the last N files are new; the others are the base.
//   - Base REF: files added since the git ref (committed, staged, or still
//     untracked) are new; the base is the directory as it is at REF.
//   - neither: every file is new.
func newFiles(o Options, files []migrate.File) (map[string]bool, []string, error) {
	isNew := make(map[string]bool)
	var base []string
	switch {
	case o.Base != "" && o.Latest > 0:
		return nil, nil, fmt.Errorf("use either --base or --latest, not both")
	case o.Latest > 0:
		n := len(files) - o.Latest
		if n < 0 {
			n = 0
		}
		for i, f := range files {
			if i >= n {
				isNew[f.Name()] = true
			} else {
				base = append(base, f.Version())
			}
		}
	case strings.HasPrefix(o.Base, "-"):
		// git would read it as an option (--output=FILE writes a file).
		return nil, nil, fmt.Errorf("lint --base: %q is not a git ref (it starts with '-')", o.Base)
	case o.Base != "":
		added, err := git(o.Dir.Path(), "diff", "--name-only", "--no-renames", "--relative", "--diff-filter=A", o.Base, "--", ".")
		if err != nil {
			return nil, nil, err
		}
		untracked, err := git(o.Dir.Path(), "ls-files", "--others", "--exclude-standard", "--", ".")
		if err != nil {
			return nil, nil, err
		}
		for _, name := range append(added, untracked...) {
			isNew[name] = true
		}
		atBase, err := git(o.Dir.Path(), "ls-tree", "--name-only", o.Base, "--", ".")
		if err != nil {
			return nil, nil, err
		}
		for _, name := range atBase {
			if strings.HasSuffix(name, ".sql") && !strings.Contains(name, "/") {
				base = append(base, migrate.NewLocalFile(name, nil).Version())
			}
		}
	default:
		for _, f := range files {
			isNew[f.Name()] = true
		}
	}
	return isNew, base, nil
}

// history reports new files that are not newer than every base file (a
// merge brought in an older migration, which `apply` would refuse on any
// database already past it) and files that share a version.
func history(dir migdir.Dir, files []migrate.File, isNew map[string]bool, base []string, r *Report) {
	var latest string
	for _, v := range base {
		if v > latest {
			latest = v
		}
	}
	seen := make(map[string]string)
	for _, f := range files {
		path := filepath.Join(dir.Path(), f.Name())
		if other, ok := seen[f.Version()]; ok {
			r.Add(Diagnostic{Rule: RuleHistory, Code: CodeDupVersion, File: path, Line: 1,
				Message: fmt.Sprintf("version %s is also used by %s", f.Version(), other)})
		}
		seen[f.Version()] = f.Name()
		if isNew[f.Name()] && latest != "" && f.Version() <= latest {
			r.Add(Diagnostic{Rule: RuleHistory, Code: CodeNonLinear, File: path, Line: 1,
				Message: fmt.Sprintf("new migration version %s is not newer than %s, the latest version on the base", f.Version(), latest)})
		}
	}
}

// git runs git in dir and returns its output lines.
func git(dir string, args ...string) ([]string, error) {
	cmd := exec.Command("git", append([]string{"-C", dir, "--no-pager"}, args...)...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(firstLine(stderr.String(), err.Error())))
	}
	var lines []string
	for _, l := range strings.Split(out.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

func firstLine(s, fallback string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return fallback
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
