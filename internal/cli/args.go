package cli

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// completionFlag is the flag urfave/cli reads, as the last argument, to list
// completions (App.EnableBashCompletion).
const completionFlag = "--generate-bash-completion"

// reorder rewrites args so that urfave/cli v2, which stops reading flags at
// the first argument and knows the app's flags only before the command,
// accepts them in any order, as Atlas, goose and git do:
//
//	structmigrate apply 1 --dry-run --env prod
//	→ structmigrate --env prod apply --dry-run -- 1
//
// Global flags anywhere move before the command; the command's flags go
// right after it; the arguments follow a "--" (so one that starts with "-"
// stays an argument). A flag that takes a value keeps the next word as its
// value. "--" ends the flags as usual. An unknown flag stays with the
// command (urfave/cli reports it there); an unknown command leaves args
// unchanged (the app reports it).
func reorder(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	rest := args[1:]
	complete := false
	if rest[len(rest)-1] == completionFlag {
		complete, rest = true, rest[:len(rest)-1]
	}
	global := flagTable(append(app.Flags, cli.HelpFlag, cli.VersionFlag))
	var globals, cmdFlags, positional []string
	var cmd *cli.Command
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			if cmd == nil {
				return args // "--" before any command: nothing to reorder
			}
			positional = append(positional, rest[i+1:]...)
			break
		}
		if !isFlag(a) {
			if cmd == nil {
				if cmd = app.Command(a); cmd == nil {
					return args // unknown command: the app's Action reports it
				}
				continue
			}
			positional = append(positional, a)
			continue
		}
		name, inline := flagName(a)
		// Whose flag: the command's own first, then the app's; an unknown
		// one stays with the command, which reports it.
		table, toGlobal := global, true
		if cmd != nil {
			if own := flagTable(append(cmd.Flags, cli.HelpFlag)); own.has(name) || !global.has(name) {
				table, toGlobal = own, false
			}
		}
		words := []string{a}
		if table[name] && !inline && i+1 < len(rest) {
			i++
			words = append(words, rest[i])
		}
		if toGlobal {
			globals = append(globals, words...)
		} else {
			cmdFlags = append(cmdFlags, words...)
		}
	}
	if cmd == nil {
		return args
	}
	out := append([]string{args[0]}, globals...)
	out = append(out, cmd.Name)
	out = append(out, cmdFlags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	if complete {
		out = append(out, completionFlag)
	}
	return out
}

// flags maps each flag name (and alias) to whether it takes a value.
type flags map[string]bool

func (f flags) has(name string) bool { _, ok := f[name]; return ok }

func flagTable(fs []cli.Flag) flags {
	t := flags{}
	for _, f := range fs {
		if f == nil {
			continue
		}
		takes := true
		if v, ok := f.(cli.DocGenerationFlag); ok {
			takes = v.TakesValue()
		}
		for _, n := range f.Names() {
			t[n] = takes
		}
	}
	return t
}

// isFlag reports whether a is a flag word as Go's flag package reads it
// ("-x", "--x", "-x=v"); "-" alone is an argument.
func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// flagName returns the name in "-name", "--name" or "--name=value", and
// whether the value is inline.
func flagName(a string) (string, bool) {
	n := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if i := strings.IndexByte(n, '='); i >= 0 {
		return n[:i], true
	}
	return n, false
}
