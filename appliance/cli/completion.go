package cli

import (
	"fmt"
	"io"
)

// completeCommand is the hidden command the completion scripts call with
// the words typed so far; it prints the candidates for the last one.
const completeCommand = "__complete"

// completeFiles is what completeCommand prints when the shell should
// offer file names.
const completeFiles = ":file"

// The scripts hand the words typed so far (up to the cursor, the last one
// possibly empty) to `mesosbox __complete` and offer what it prints, one
// candidate a line; ":file" means file names. Keeping the logic in Go
// keeps both shells in step with the command table and lets app ids and
// job names come from the node.
const bashCompletion = `# bash completion for mesosbox. Load it with:
#   source <(mesosbox completion bash)
_mesosbox() {
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words
    read -r -a words <<< "$line"
    # A trailing space starts a new, still empty word.
    [[ $line == *[[:space:]] ]] && words+=("")
    local cur=${COMP_WORDS[COMP_CWORD]}
    local IFS=$'\n'
    local out
    out=$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null) || return 0
    if [[ $out == ":file" ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($out)
    fi
}
complete -F _mesosbox mesosbox
`

const zshCompletion = `#compdef mesosbox
# zsh completion for mesosbox. Load it with (after compinit):
#   source <(mesosbox completion zsh)
# or save it as _mesosbox in a directory of $fpath.
_mesosbox() {
    local -a out
    out=("${(@f)$(${words[1]} __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    out=(${out:#})
    if [[ ${out[1]} == ":file" ]]; then
        _files
    else
        compadd -- "${out[@]}"
    fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _mesosbox "$@"
else
    compdef _mesosbox mesosbox
fi
`

// completionCmd is `mesosbox completion bash|zsh`.
func completionCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		return usageError(stderr, "completion")
	}
	switch args[0] {
	case "bash":
		fmt.Fprint(stdout, bashCompletion)
	case "zsh":
		fmt.Fprint(stdout, zshCompletion)
	default:
		fmt.Fprintf(stderr, "mesosbox completion: no completion for %q: bash or zsh\n", args[0])
		return 2
	}
	return 0
}
