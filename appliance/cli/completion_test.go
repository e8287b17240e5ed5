package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// completions runs the hidden completion command on words and returns
// its candidates.
func completions(t *testing.T, words ...string) []string {
	t.Helper()
	code, out, errs := runCLI(append([]string{completeCommand}, words...)...)
	if code != 0 || errs != "" {
		t.Fatalf("%v: exit %d %q", words, code, errs)
	}
	return strings.Fields(out)
}

func TestCompletionCandidates(t *testing.T) {
	node := fakeNode(t, false)
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{""}, "serve version help completion status members leave app task job events image doctor"},
		{[]string{"a"}, "app"},
		{[]string{"app", ""}, "list show apply scale restart delete versions rollback"},
		{[]string{"app", "re"}, "restart"},
		{[]string{"app", "apply", ""}, ":file"},
		{[]string{"app", "apply", "x.json", ""}, ""},
		{[]string{"app", "scale", "--d"}, "--detach"},
		{[]string{"app", "list", "--"}, "--help --marathon --auth-file --json"},
		{[]string{"app", "show", "--auth-file", ""}, ":file"},
		{[]string{"app", "show", "--marathon", node, "w"}, "web worker"},
		{[]string{"app", "show", "--marathon", node, "/w"}, "/web /worker"},
		{[]string{"app", "show", "--json", "--marathon=" + node, ""}, "web worker db"},
		{[]string{"app", "show", "--marathon", "127.0.0.1:1", ""}, ""},
		{[]string{"task", "logs", "--marathon", node, "w"}, "web.1"},
		{[]string{"job", "run", "--chronos", node, ""}, "backup report"},
		{[]string{"job", "graph", ""}, ""},
		{[]string{"task", "logs", "-"}, "--help --address --auth-file -f --stderr"},
		{[]string{"leave", "--address", node, ""}, "n1"},
		{[]string{"completion", ""}, "bash zsh"},
		{[]string{"help", ""}, "serve version help completion status members leave app task job events image doctor"},
		{[]string{"help", "job", "r"}, "run"},
		{[]string{"serve", "--data-d"}, "--data-dir"},
		{[]string{"serve", "--data-dir", ""}, ":file"},
		{[]string{"doctor", "--ports", ""}, ""},
		{[]string{"frob", ""}, ""},
	}
	for _, c := range cases {
		if got := strings.Join(completions(t, c.words...), " "); got != c.want {
			t.Errorf("%q: got %q, want %q", c.words, got, c.want)
		}
	}
}

// shellWithMesosbox returns the environment of a shell whose PATH has a
// mesosbox: this test binary, which runs the CLI when
// MESOSBOX_CLI_TEST_RUN is set (see TestMain).
func shellWithMesosbox(t *testing.T) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(self, filepath.Join(dir, "mesosbox")); err != nil {
		t.Fatal(err)
	}
	return append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "MESOSBOX_CLI_TEST_RUN=1")
}

func runShell(t *testing.T, env []string, shell, script string) string {
	t.Helper()
	cmd := exec.Command(shell, "-c", script)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	return string(out)
}

func TestBashCompletion(t *testing.T) {
	env := shellWithMesosbox(t)
	node := fakeNode(t, false)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "web.json"), []byte("{}"), 0o644)
	cases := []struct{ line, want string }{
		{"mesosbox ", "serve version help completion status members leave app task job events image doctor"},
		{"mesosbox app sc", "scale"},
		{"mesosbox job ", "list show apply run kill delete graph"},
		{"mesosbox app show --marathon " + node + " ", "web worker db"},
		{"mesosbox app scale --for", "--force"},
		{"mesosbox app apply " + dir + "/we", dir + "/web.json"}, // file names
	}
	// One shell for all cases (each mesosbox it starts is this test
	// binary): it sets what bash sets before calling the function, the
	// line up to the cursor and its words (split at the colon of
	// HOST:PORT too), and prints the candidates, then a separator.
	script := `source <(mesosbox completion bash) && complete -p mesosbox && echo ---
c() {
	COMP_LINE=$1; COMP_POINT=${#COMP_LINE}
	COMP_WORDS=(${COMP_LINE//:/ : }); [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=(); _mesosbox; printf '%s\n' "${COMPREPLY[@]}"; echo ---
}
`
	for _, c := range cases {
		script += "c '" + c.line + "'\n"
	}
	outs := strings.Split(runShell(t, env, "bash", script), "---\n")
	if len(outs) != len(cases)+2 || strings.TrimSpace(outs[0]) != "complete -F _mesosbox mesosbox" {
		t.Fatalf("bash printed %q", outs)
	}
	for i, c := range cases {
		if got := strings.Join(strings.Fields(outs[i+1]), " "); got != c.want {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

func TestZshCompletion(t *testing.T) {
	env := shellWithMesosbox(t)
	node := fakeNode(t, false)
	code, script, _ := runCLI("completion", "zsh")
	if code != 0 || !strings.HasPrefix(script, "#compdef mesosbox\n") {
		t.Fatalf("completion zsh: %d %q", code, script)
	}
	file := writeFile(t, "_mesosbox", script)
	runShell(t, env, "zsh", "zsh -n "+file) // the script parses
	// zsh's completion builtins replaced by ones that print what they get.
	complete := func(words string) string {
		return runShell(t, env, "zsh", `compdef() { print "compdef $*" }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@" }
_files() { print FILES }
source `+file+`
words=(`+words+`); CURRENT=${#words}
_mesosbox`)
	}
	cases := map[string]string{
		`mesosbox app ''`: "compdef _mesosbox mesosbox list show apply scale restart delete versions rollback",
		`mesosbox job show --chronos ` + node + ` r`: "compdef _mesosbox mesosbox report",
		`mesosbox app apply ''`:                      "compdef _mesosbox mesosbox FILES",
	}
	for words, want := range cases {
		if got := strings.Join(strings.Fields(complete(words)), " "); got != want {
			t.Errorf("%s: got %q, want %q", words, got, want)
		}
	}
	if code, _, errs := runCLI("completion", "fish"); code != 2 || strings.Count(errs, "\n") != 1 {
		t.Errorf("completion fish: %d %q", code, errs)
	}
}
