package modelsrc

import (
	"encoding/json"
	"go/build"
	"os/exec"
	"strings"
)

// goContext is the build context the go command would use in dir: go/build
// reads GOOS, GOARCH and CGO_ENABLED from the environment only, and no
// build tags at all, while go build also reads GOFLAGS (-tags=…) and the
// settings of `go env -w`. Without it, a model in a file built with a tag
// given in GOFLAGS would be compiled in but not listed, and diff would
// drop its table. With no go command, go/build's default.
func goContext(dir string) build.Context {
	ctx := build.Default
	cmd := exec.Command("go", "env", "-json", "GOOS", "GOARCH", "CGO_ENABLED", "GOFLAGS")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ctx
	}
	var env map[string]string
	if json.Unmarshal(out, &env) != nil {
		return ctx
	}
	if env["GOOS"] != "" {
		ctx.GOOS = env["GOOS"]
	}
	if env["GOARCH"] != "" {
		ctx.GOARCH = env["GOARCH"]
	}
	ctx.CgoEnabled = env["CGO_ENABLED"] == "1"
	ctx.BuildTags = goflagsTags(env["GOFLAGS"])
	return ctx
}

// goflagsTags returns the build tags of a GOFLAGS value: its -tags=a,b
// (or --tags=); the last one wins, as with the go command's flags.
func goflagsTags(goflags string) []string {
	var tags []string
	for _, f := range strings.Fields(goflags) {
		name, value, ok := strings.Cut(strings.TrimPrefix(f, "-"), "=")
		if !ok || strings.TrimPrefix(name, "-") != "tags" {
			continue
		}
		tags = nil
		for _, t := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' }) {
			tags = append(tags, t)
		}
	}
	return tags
}
