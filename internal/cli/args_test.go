package cli

import (
	"strings"
	"testing"
)

// reorder must give urfave/cli v2 (flags first, global flags before the
// command) the same meaning the user wrote in any order.
func TestReorder(t *testing.T) {
	app := New(Program{})
	cases := []struct{ in, want string }{
		// Already in urfave's order: unchanged but for the "--" before arguments.
		{"--env prod apply --dry-run 1", "--env prod apply --dry-run -- 1"},
		{"apply", "apply"},
		// Global flags after the command move before it, with their values.
		{"apply --env prod", "--env prod apply"},
		{"apply 1 --dry-run --env=prod --db x.db", "--env=prod --db x.db apply --dry-run -- 1"},
		{"rollback --lock-timeout 5s --dry-run", "--lock-timeout 5s rollback --dry-run"},
		// -v is --version unless the command has its own -v.
		{"apply -v", "-v apply"},
		// A value that looks like a command or a number stays a value.
		{"apply --baseline 20260101000001 2", "apply --baseline 20260101000001 -- 2"},
		{"--env apply apply", "--env apply apply"},
		// "--" ends the flags; what follows is an argument.
		{"apply -- --env", "apply -- --env"},
		{"diff --check -- -x", "diff --check -- -x"},
		// Unknown flags stay with the command, which reports them.
		{"apply --nope 1", "apply --nope -- 1"},
		// Help after the command stays the command's.
		{"apply --help", "apply --help"},
		// Unknown commands and a bare "--" are left as they are.
		{"aply --env prod", "aply --env prod"},
		{"-- apply", "-- apply"},
		// The shell-completion flag stays last.
		{"apply --env x --generate-bash-completion", "--env x apply --generate-bash-completion"},
	}
	for _, c := range cases {
		got := strings.Join(reorder(app, append([]string{"structmigrate"}, strings.Fields(c.in)...))[1:], " ")
		if got != c.want {
			t.Errorf("reorder(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
