package cli

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// The bash and zsh scripts are urfave/cli's (autocomplete/ in its
// repository) for a fixed program name: they ask the binary itself, with
// --generate-bash-completion, for the commands and flags that fit.
const bashCompletion = `# bash completion for PROG; load with: source <(PROG completion bash)
_PROG_complete() {
  local cur words cword
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion -n "=:" || return
  else
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
  fi
  words=("${words[@]:0:$cword}")
  local request="${words[*]} --generate-bash-completion"
  if [[ "$cur" == "-"* ]]; then
    request="${words[*]} ${cur} --generate-bash-completion"
  fi
  local opts
  opts=$(eval "${request}" 2>/dev/null)
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
  return 0
}
complete -o bashdefault -o default -o nospace -F _PROG_complete PROG
`

const zshCompletion = `#compdef PROG
# zsh completion for PROG; load with: source <(PROG completion zsh)
_PROG_complete() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == "-"* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _PROG_complete PROG
`

func completionCmd() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: source <(structmigrate completion bash)",
		ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return &ExitError{Code: ExitFailure, Msg: "completion needs one shell: bash, zsh or fish"}
			}
			prog := c.App.Name
			var script string
			switch shell := c.Args().First(); shell {
			case "bash":
				script = strings.ReplaceAll(bashCompletion, "PROG", prog)
			case "zsh":
				script = strings.ReplaceAll(zshCompletion, "PROG", prog)
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return err
				}
				script = s
			default:
				return &ExitError{Code: ExitFailure, Msg: fmt.Sprintf("completion: unknown shell %q: want bash, zsh or fish", shell)}
			}
			_, err := fmt.Fprint(c.App.Writer, script)
			return err
		},
	}
}
