package loader

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// go build's positions, relative to the module root where it runs, are
// made relative to the working directory, a file name with a space
// included (it was left relative to the root); other lines pass as they are.
func TestCompileLines(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	out := "# example.com/app/models\n" +
		"loader/my file.go:3:23: undefined: nope\n" +
		"loader/m.go:4:9: undefined: missing\n" +
		"other/x.go:1:1: expected 'package'\n" +
		"note: module requires Go 1.99\n"
	want := []string{
		"my file.go:3:23: undefined: nope",
		"m.go:4:9: undefined: missing",
		filepath.Join(root, "other/x.go") + ":1:1: expected 'package'",
		"note: module requires Go 1.99",
	}
	if got := compileLines(out, root); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// A go command failure with no source position is not called a compile
// error of the models (it was: "does not compile" for a broken go.work).
func TestCompileErrorMessage(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"m.go:4:9: undefined: missing"}, "the models package ./models does not compile (go build's messages above)"},
		{[]string{"go: cannot load module svc listed in go.work file: open svc/go.mod: no such file or directory"}, "go build failed for the models package ./models (its messages above)"},
	} {
		if got := (&CompileError{Dir: "./models", Lines: c.lines}).Error(); got != c.want {
			t.Errorf("%q: got %q, want %q", c.lines, got, c.want)
		}
	}
}
