package loader

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/structmigrate/structmigrate/internal/modelsrc"
)

// CompileError is the models package failing to build; Lines are go
// build's messages, their file paths relative to the working directory.
type CompileError struct {
	Dir   string
	Lines []string
}

func (e *CompileError) Error() string {
	for _, l := range e.Lines {
		if goPos.MatchString(l) {
			return fmt.Sprintf("the models package %s does not compile (go build's messages above)", e.Dir)
		}
	}
	// No source position: the go command refused the module or its
	// settings (go.work, GOFLAGS, vendor/), not the code.
	return fmt.Sprintf("go build failed for the models package %s (its messages above)", e.Dir)
}

// compile compiles the throwaway program for the models package in dir into
// tmp and returns the executable's path.
func compile(ctx context.Context, dir, tmp string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("--models %s: not a directory", dir)
	}
	found, err := modelsrc.Discover(dir)
	if err != nil {
		return "", err
	}
	if !found.HasModelsFunc && len(found.Types) == 0 {
		return "", fmt.Errorf("--models %s: package %s has no GORM models (an exported struct that embeds gorm.Model or has a gorm tag) and no func Models() []any", dir, found.Package)
	}
	mod, err := findModule(abs)
	if err != nil {
		return "", err
	}
	importPath, err := mod.importPath(abs)
	if err != nil {
		return "", fmt.Errorf("--models %s: %w", dir, err)
	}
	src, err := mainSource(importPath, found)
	if err != nil {
		return "", err
	}
	mainFile := filepath.Join(tmp, "main.go")
	if err := os.WriteFile(mainFile, src, 0o644); err != nil {
		return "", err
	}
	// The main package sits under the models folder (in the overlay only),
	// so Go's internal rule lets it import a/internal/models wherever a is.
	overlay, err := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(abs, mainDir, "main.go"): mainFile}})
	if err != nil {
		return "", err
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return "", err
	}
	prog := filepath.Join(tmp, "structmigrate")
	args := []string{"build", "-o", prog, "-overlay", overlayFile}
	if !mod.Requires {
		modFile, err := requireSelf(ctx, mod, tmp)
		if err != nil {
			return "", err
		}
		args = append(args, "-modfile", modFile)
	}
	pkgDir, err := filepath.Rel(mod.Root, filepath.Join(abs, mainDir))
	if err != nil {
		return "", err
	}
	args = append(args, "./"+filepath.ToSlash(pkgDir))
	cmd := goCommand(ctx, tmp, args...)
	cmd.Dir = mod.Root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return "", fmt.Errorf("run go build: %w", err) // no go command
		}
		return "", &CompileError{Dir: dir, Lines: compileLines(out.String(), mod.Root)}
	}
	return prog, nil
}

// requireSelf writes a copy of the module's go.mod (and go.sum) to tmp that
// requires this tool at the version of the running binary, so a module
// that has not added it yet still builds, and its own go.mod is untouched.
func requireSelf(ctx context.Context, mod *module, tmp string) (string, error) {
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == Self {
		version = bi.Main.Version
	}
	if version == "" || version == "(devel)" {
		return "", fmt.Errorf("%s does not require %s: run `go get %s@latest` there (this structmigrate is a development build and cannot name its own version)",
			filepath.Join(mod.Root, "go.mod"), Self, Self)
	}
	modFile := filepath.Join(tmp, "go.mod")
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(mod.Root, name))
		if errors.Is(err, os.ErrNotExist) && name == "go.sum" {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o644); err != nil {
			return "", err
		}
	}
	cmd := goCommand(ctx, tmp, "get", "-modfile", modFile, Self+"@"+version)
	cmd.Dir = mod.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go get %s@%s: %s", Self, version, oneLine(string(out)))
	}
	return modFile, nil
}

// goCommand is the go command, its work files in tmp (GOTMPDIR), which Run
// removes: go leaves its work folder behind when interrupted. It is
// stopped when ctx is cancelled: interrupted, as by a Ctrl-C, then killed
// if it has not exited within a few seconds.
func goCommand(ctx context.Context, tmp string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "GOTMPDIR="+tmp)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// goPos is a go build message's file position (a file name may have spaces).
var goPos = regexp.MustCompile(`^([^:]+\.go):(\d+)`)

// compileLines returns go build's messages without its "# package"
// headers, their paths (relative to root) made relative to the working
// directory, where the user looks for them.
func compileLines(out, root string) []string {
	wd, _ := os.Getwd()
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		if m := goPos.FindStringSubmatchIndex(line); m != nil {
			file := line[m[2]:m[3]]
			if !filepath.IsAbs(file) {
				file = filepath.Join(root, file)
			}
			if rel, err := filepath.Rel(wd, file); err == nil && !strings.HasPrefix(rel, "..") {
				file = rel
			}
			line = file + line[m[3]:]
		}
		lines = append(lines, line)
	}
	return lines
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
