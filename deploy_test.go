package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/structmigrate/structmigrate/internal/cli"
	"github.com/structmigrate/structmigrate/internal/sqlitedb"
	"github.com/structmigrate/structmigrate/migrations"
)

// TestDeploy checks the container without a Docker engine: it reads the
// Dockerfile and compose.yaml, builds the binary with the Dockerfile's
// command, and runs the image's ENTRYPOINT + CMD the way the container does:
// in an empty working directory (no source tree, atlas.hcl or migrations/),
// with STORAGE_PATH pointing into a "volume" directory.
func TestDeploy(t *testing.T) {
	df := parseDockerfile(t, "Dockerfile")
	final := df[len(df)-1]
	if len(df) < 2 {
		t.Fatalf("Dockerfile: want a multi-stage build, got %d stage(s)", len(df))
	}
	if base := final.from; !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("final stage FROM %s: want a static image (distroless static or scratch)", base)
	}
	entrypoint := final.jsonArray(t, "ENTRYPOINT")
	cmdArgs := final.jsonArray(t, "CMD")
	if want := []string{"--env", "prod", "apply"}; !slices.Equal(cmdArgs, want) {
		t.Errorf("CMD = %q, want %q", cmdArgs, want)
	}
	imageStorage := final.env(t, "STORAGE_PATH")
	volume := final.last(t, "VOLUME")

	// The build command, and the binary's way into the final stage.
	buildEnv, buildArgs, out := df.goBuild(t)
	if !slices.Contains(buildEnv, "CGO_ENABLED=0") {
		t.Errorf("the go build in the Dockerfile does not set CGO_ENABLED=0 (env %q)", buildEnv)
	}
	if cp := final.copyFrom(out); cp != entrypoint[0] {
		t.Errorf("final stage copies %s to %q, want ENTRYPOINT %q", out, cp, entrypoint[0])
	}

	// compose.yaml: the migrate service runs the image as built, on a named
	// volume mounted where the Dockerfile declares it, with STORAGE_PATH set.
	compose := parseCompose(t, "compose.yaml")
	svc := compose.child("services").child("migrate")
	if svc == nil {
		t.Fatal("compose.yaml: no services.migrate")
	}
	if svc.child("build") == nil {
		t.Error("compose.yaml: services.migrate is not built from the Dockerfile (no build:)")
	}
	for _, k := range []string{"command", "entrypoint"} {
		if svc.child(k) != nil {
			t.Errorf("compose.yaml: services.migrate overrides %s; the test runs the image's ENTRYPOINT and CMD", k)
		}
	}
	composeStorage := svc.child("environment").envMap()["STORAGE_PATH"]
	if composeStorage != imageStorage {
		t.Errorf("compose.yaml STORAGE_PATH = %q, Dockerfile ENV STORAGE_PATH = %q: want both set, equal", composeStorage, imageStorage)
	}
	var mounted bool
	for _, v := range svc.child("volumes").list() {
		src, dst, _ := strings.Cut(v, ":")
		if dst == volume {
			mounted = true
			if compose.child("volumes").child(src) == nil {
				t.Errorf("compose.yaml: %s is mounted from %q, not a named volume declared under volumes:", volume, src)
			}
		}
	}
	if !mounted {
		t.Errorf("compose.yaml: services.migrate does not mount a volume at %s (volumes %q)", volume, svc.child("volumes").list())
	}
	if !strings.HasPrefix(imageStorage, volume+"/") {
		t.Fatalf("STORAGE_PATH %s is not on the volume %s", imageStorage, volume)
	}
	if !compose.commented("condition: service_completed_successfully") {
		t.Error("compose.yaml: want the commented-out app service waiting for migrate (condition: service_completed_successfully)")
	}

	if testing.Short() {
		t.Skip("builds and runs the binary")
	}

	// (b) Build with exactly the Dockerfile's command.
	bin := filepath.Join(t.TempDir(), "structmigrate")
	args := slices.Clone(buildArgs)
	args[slices.Index(args, "-o")+1] = bin
	start := time.Now()
	build := exec.Command("go", args...)
	// The image is built without .git (.dockerignore): no VCS stamp.
	build.Env = append(os.Environ(), buildEnv...)
	build.Env = append(build.Env, "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -buildvcs=false"))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %q: %v\n%s", args, err, out)
	}
	t.Logf("go %q (%s): %v", args, strings.Join(buildEnv, " "), time.Since(start).Round(time.Millisecond))

	// (f) The binary is static.
	vers, err := exec.Command("go", "version", "-m", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, vers)
	}
	for _, want := range []string{"\tbuild\tCGO_ENABLED=0\n", "\tbuild\t-trimpath=true\n"} {
		if !bytes.Contains(vers, []byte(want)) {
			t.Errorf("go version -m %s lacks %q:\n%s", bin, strings.TrimSpace(want), vers)
		}
	}
	// With -trimpath the build info leaves -ldflags out; check its effect:
	// -s drops the symbol table, -w the DWARF sections.
	if f, err := elf.Open(bin); err == nil {
		for _, sec := range f.Sections {
			if sec.Name == ".symtab" || strings.HasPrefix(sec.Name, ".debug_") || strings.HasPrefix(sec.Name, ".zdebug_") {
				t.Errorf("binary has section %s: not built with -ldflags=\"-s -w\"", sec.Name)
			}
		}
		f.Close()
	}

	// (c) First start: the container creates and migrates the database.
	tmp := t.TempDir() // the container's own /tmp (the migration lock goes there)
	vol := t.TempDir()
	dbFile := filepath.Join(vol, strings.TrimPrefix(imageStorage, volume+"/"))
	work := t.TempDir()
	containerEnv := []string{"STORAGE_PATH=" + dbFile, "TMPDIR=" + tmp}
	run := func(env []string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		start := time.Now()
		c := exec.Command(entrypointPath(bin, entrypoint), append(slices.Clone(entrypoint[1:]), args...)...)
		c.Dir, c.Env = work, env
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		err := c.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			code = ee.ExitCode()
		case err != nil:
			t.Fatalf("run %q: %v", args, err)
		}
		t.Logf("structmigrate %s: exit %d in %v", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
		return o.String(), e.String(), code
	}
	stdout, stderr, code := run(containerEnv, cmdArgs...)
	if code != 0 {
		t.Fatalf("first start: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !strings.Contains(stdout, f) {
			t.Errorf("first start did not log %s:\n%s", f, stdout)
		}
	}
	db, err := sqlitedb.OpenFile(dbFile, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Whatever the project's history: one complete revision per embedded
	// file, and (below) status finds no drift from it.
	var revs int
	if err := db.QueryRow("SELECT count(*) FROM atlas_schema_revisions WHERE type = 2 AND applied = total AND error = '' AND operator_version = ?", cli.Operator).Scan(&revs); err != nil || revs != len(files) {
		t.Errorf("atlas_schema_revisions: %d complete rows (%v), want one per file (%d)", revs, err, len(files))
	}
	if left, _ := os.ReadDir(work); len(left) > 0 {
		t.Errorf("the container wrote into its working directory (read-only for nonroot): %v", left)
	}

	// (d) Restart: nothing to do, exit 0. status, as a health check: 0.
	stdout, stderr, code = run(containerEnv, cmdArgs...)
	if code != 0 || !strings.Contains(stdout, "No migration files to execute") {
		t.Errorf("restart: exit %d, want 0 and \"No migration files to execute\"\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if stdout, stderr, code = run(containerEnv, "--env", "prod", "status"); code != 0 || !strings.Contains(stdout, "Migration Status: OK") {
		t.Errorf("status: exit %d, want 0 and OK\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}

	// (e) Without STORAGE_PATH the prod env refuses, on one line, and creates
	// nothing.
	vol2 := t.TempDir()
	stdout, stderr, code = run([]string{"TMPDIR=" + tmp, "HOME=" + vol2}, cmdArgs...)
	if code == 0 {
		t.Errorf("without STORAGE_PATH: exit 0, want an error\nstdout:\n%s", stdout)
	}
	if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 || !strings.Contains(stderr, "STORAGE_PATH") {
		t.Errorf("without STORAGE_PATH: stderr %q, want one line naming STORAGE_PATH", stderr)
	}
	for _, d := range []string{work, vol2} {
		if left, _ := os.ReadDir(d); len(left) > 0 {
			t.Errorf("without STORAGE_PATH, files were created in %s: %v", d, left)
		}
	}
}

// entrypointPath maps the image's binary path to the one built here.
func entrypointPath(bin string, entrypoint []string) string {
	if path.Base(entrypoint[0]) != "structmigrate" {
		panic("ENTRYPOINT is not the structmigrate binary: " + entrypoint[0])
	}
	return bin
}

// stage is one FROM section of a Dockerfile: its instructions in order,
// continuation lines joined.
type stage struct {
	from, name string
	instrs     [][2]string // keyword (upper case), arguments
}

type dockerfile []*stage

func parseDockerfile(t *testing.T, name string) dockerfile {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var (
		df      dockerfile
		pending string
	)
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && pending == "") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			pending += strings.TrimSuffix(line, `\`) + " "
			continue
		}
		line, pending = pending+line, ""
		kw, args, _ := strings.Cut(line, " ")
		kw, args = strings.ToUpper(kw), strings.TrimSpace(args)
		if kw == "FROM" {
			f := strings.Fields(args)
			s := &stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				s.name = f[2]
			}
			df = append(df, s)
			continue
		}
		if len(df) == 0 {
			t.Fatalf("%s: %s before FROM", name, kw)
		}
		df[len(df)-1].instrs = append(df[len(df)-1].instrs, [2]string{kw, args})
	}
	if len(df) == 0 {
		t.Fatalf("%s: no FROM", name)
	}
	return df
}

// last returns the arguments of the stage's last kw instruction.
func (s *stage) last(t *testing.T, kw string) string {
	t.Helper()
	for i := len(s.instrs) - 1; i >= 0; i-- {
		if s.instrs[i][0] == kw {
			return s.instrs[i][1]
		}
	}
	t.Fatalf("Dockerfile: no %s in the final stage", kw)
	return ""
}

// jsonArray parses an exec-form instruction (ENTRYPOINT, CMD).
func (s *stage) jsonArray(t *testing.T, kw string) []string {
	t.Helper()
	var a []string
	if err := json.Unmarshal([]byte(s.last(t, kw)), &a); err != nil || len(a) == 0 {
		t.Fatalf("Dockerfile %s %s: want a non-empty JSON array (exec form): %v", kw, s.last(t, kw), err)
	}
	return a
}

// env returns the value ENV gives key in the stage (ENV k=v ... or ENV k v).
func (s *stage) env(t *testing.T, key string) string {
	t.Helper()
	val, found := "", false
	for _, in := range s.instrs {
		if in[0] != "ENV" {
			continue
		}
		words := shellWords(t, in[1])
		if len(words) > 0 && !strings.Contains(words[0], "=") {
			if words[0] == key {
				val, found = strings.TrimSpace(strings.TrimPrefix(in[1], key)), true
			}
			continue
		}
		for _, w := range words {
			if k, v, _ := strings.Cut(w, "="); k == key {
				val, found = v, true
			}
		}
	}
	if !found {
		t.Fatalf("Dockerfile: no ENV %s in the final stage", key)
	}
	return val
}

// copyFrom returns where the stage copies src from another stage.
func (s *stage) copyFrom(src string) string {
	for _, in := range s.instrs {
		f := strings.Fields(in[1])
		if in[0] == "COPY" && len(f) >= 3 && strings.HasPrefix(f[0], "--from=") && slices.Contains(f[1:len(f)-1], src) {
			return f[len(f)-1]
		}
	}
	return ""
}

// goBuild finds the RUN that builds the binary: its leading VAR=value
// words, the go arguments and the -o output.
func (df dockerfile) goBuild(t *testing.T) (env, args []string, out string) {
	t.Helper()
	for _, s := range df[:len(df)-1] {
		for _, in := range s.instrs {
			if in[0] != "RUN" || !strings.Contains(in[1], "go build") {
				continue
			}
			if strings.ContainsAny(in[1], "&|;`$") {
				t.Fatalf("Dockerfile: RUN %s: keep the go build a simple command the test can replay", in[1])
			}
			words := shellWords(t, in[1])
			for len(words) > 0 && strings.Contains(words[0], "=") {
				env, words = append(env, words[0]), words[1:]
			}
			if len(words) < 2 || words[0] != "go" || words[1] != "build" {
				t.Fatalf("Dockerfile: RUN %s: want [VAR=value ...] go build ...", in[1])
			}
			args = words[1:]
			i := slices.Index(args, "-o")
			if i < 0 || i+1 >= len(args) {
				t.Fatalf("Dockerfile: RUN %s: want -o OUTPUT", in[1])
			}
			return env, args, args[i+1]
		}
	}
	t.Fatal("Dockerfile: no RUN ... go build in a build stage")
	return nil, nil, ""
}

// shellWords splits s into words as sh does for plain words and quotes
// (no expansions: goBuild refuses them).
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var (
		words []string
		cur   strings.Builder
		inW   bool
		quote rune
	)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inW = r, true
		case r == ' ' || r == '\t':
			if inW {
				words, inW = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			inW = true
		}
	}
	if quote != 0 {
		t.Fatalf("unterminated quote in %q", s)
	}
	if inW {
		words = append(words, cur.String())
	}
	return words
}

// yamlNode is the subset of YAML compose.yaml uses: nested mappings by
// indentation, scalars, and lists of scalars.
type yamlNode struct {
	key, value string
	indent     int
	items      []string
	children   []*yamlNode
	raw        []byte // the file, at the root
}

func parseCompose(t *testing.T, name string) *yamlNode {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	root := &yamlNode{indent: -1, raw: src}
	stack := []*yamlNode{root}
	for i, line := range strings.Split(string(src), "\n") {
		text := strings.TrimSpace(line)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.Contains(line, "\t") {
			t.Fatalf("%s:%d: tab in indentation", name, i+1)
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		for stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		parent := stack[len(stack)-1]
		if item, ok := strings.CutPrefix(text, "- "); ok {
			parent.items = append(parent.items, unquote(item))
			continue
		}
		k, v, ok := strings.Cut(text, ":")
		if !ok {
			t.Fatalf("%s:%d: want key: value, - item, or a comment: %q", name, i+1, text)
		}
		n := &yamlNode{key: strings.TrimSpace(k), value: unquote(strings.TrimSpace(v)), indent: indent}
		parent.children = append(parent.children, n)
		stack = append(stack, n)
	}
	return root
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func (n *yamlNode) child(key string) *yamlNode {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.key == key {
			return c
		}
	}
	return nil
}

func (n *yamlNode) list() []string {
	if n == nil {
		return nil
	}
	return n.items
}

// envMap reads a compose environment: a mapping or a list of KEY=value.
func (n *yamlNode) envMap() map[string]string {
	m := map[string]string{}
	if n == nil {
		return m
	}
	for _, c := range n.children {
		m[c.key] = c.value
	}
	for _, it := range n.items {
		k, v, _ := strings.Cut(it, "=")
		m[k] = v
	}
	return m
}

// commented reports whether a comment line of the file contains s.
func (n *yamlNode) commented(s string) bool {
	for _, line := range strings.Split(string(n.raw), "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "#") && strings.Contains(t, s) {
			return true
		}
	}
	return false
}
