package cli

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/structmigrate/structmigrate/internal/migdir"
)

// buildVersion is set at link time to name a release:
//
//	go build -ldflags "-X github.com/structmigrate/structmigrate/internal/cli.buildVersion=v1.2.3"
var buildVersion string

// BuildVersion is the version of this binary: the one given at link time,
// else the module version Go recorded (go install …@v1.2.3, or a
// pseudo-version from the VCS stamp), else Version; with the VCS revision
// when Go recorded one.
func BuildVersion() string {
	v := buildVersion
	bi, ok := debug.ReadBuildInfo()
	if v == "" && ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = Version
	}
	if !ok {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += ", modified"
		}
		v += " (" + rev + ")"
	}
	return v
}

// writeVersion prints the binary's version and the newest migration it
// embeds (what a deploy of this binary brings a database to).
func writeVersion(w io.Writer, p Program) error {
	fmt.Fprintf(w, "structmigrate version %s\n", BuildVersion())
	if p.Migrations == nil {
		_, err := fmt.Fprintln(w, "embedded migrations: none")
		return err
	}
	dir, err := migdir.FromFS(p.Migrations, "embedded")
	if err != nil {
		return err
	}
	files, err := dir.Files()
	if err != nil {
		return err
	}
	if len(files) == 0 {
		_, err = fmt.Fprintln(w, "embedded migrations: none")
		return err
	}
	last := files[len(files)-1]
	_, err = fmt.Fprintf(w, "embedded migrations: %d files, latest %s (%s)\n", len(files), last.Version(), last.Name())
	return err
}

// programKey holds the Program in App.Metadata for the version printer,
// which urfave/cli calls with only the context.
const programKey = "structmigrate.program"

func init() {
	// --version prints what the version command prints.
	cli.VersionPrinter = func(c *cli.Context) {
		p, _ := c.App.Metadata[programKey].(Program)
		if err := writeVersion(c.App.Writer, p); err != nil {
			fmt.Fprintln(c.App.ErrWriter, "Error:", err)
		}
	}
}

func versionCmd(p Program) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version of the binary and the latest migration it embeds",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return &ExitError{Code: ExitFailure, Msg: "version takes no arguments"}
			}
			return writeVersion(c.App.Writer, p)
		},
	}
}
