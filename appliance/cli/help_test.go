package cli

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

// TestEveryCommandHasHelp goes through the command table: --help, -h and
// `help CMD` print a usage line, every flag the command takes and its
// examples, whose flags the command accepts.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands {
		words := strings.Fields(c.path)
		if len(c.examples) == 0 || c.summary == "" {
			t.Errorf("%s: no example or no summary", c.path)
		}
		var first string
		for i, args := range [][]string{append(slices.Clone(words), "--help"), append(slices.Clone(words), "-h"), append([]string{"help"}, words...)} {
			code, out, errs := runCLI(args...)
			if code != 0 || errs != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, errs)
			}
			if i == 0 {
				first = out
			} else if out != first {
				t.Errorf("%v prints other help than %s --help", args, c.path)
			}
		}
		if !strings.Contains(first, "Usage: mesosbox "+c.path) || !strings.Contains(first, "Example") {
			t.Errorf("%s --help lacks a usage line or examples:\n%s", c.path, first)
		}
		for _, f := range c.flags {
			if !strings.Contains(first, "  "+dashed(f)+" ") {
				t.Errorf("%s --help lacks --%s:\n%s", c.path, f, first)
			}
		}
		for _, e := range c.examples {
			if !strings.Contains(first, e) || !strings.Contains(e, "mesosbox "+c.path) {
				t.Errorf("%s: example %q is not printed or is not of this command", c.path, e)
			}
			// The example's flags are the command's.
			if rest, ok := strings.CutPrefix(e, "mesosbox "+c.path); ok && c.path != "serve" {
				fs := newFlagSet(c.path)
				groupFlags(c.path).VisitAll(func(f *flag.Flag) {
					if slices.Contains(c.flags, f.Name) {
						fs.Var(f.Value, f.Name, f.Usage)
					}
				})
				if _, err := parseInterspersed(fs, strings.Fields(rest)); err != nil {
					t.Errorf("%s: example %q: %v", c.path, e, err)
				}
			}
		}
	}
}

// TestEveryFlagIsDocumented checks that each flag a group defines is named
// by one of its commands, so help and completion show it.
func TestEveryFlagIsDocumented(t *testing.T) {
	for group, newFlags := range flagSets {
		if group == "serve" {
			continue // serve --help prints every flag of the set
		}
		newFlags().VisitAll(func(f *flag.Flag) {
			for _, c := range commands {
				if (c.path == group || strings.HasPrefix(c.path, group+" ")) && slices.Contains(c.flags, f.Name) {
					return
				}
			}
			t.Errorf("--%s of %s is named by none of its commands", f.Name, group)
		})
	}
}

func TestGroupAndTopLevelHelp(t *testing.T) {
	code, out, _ := runCLI("app", "--help")
	if code != 0 || !strings.Contains(out, "Usage: mesosbox app COMMAND") {
		t.Fatalf("app --help: %d\n%s", code, out)
	}
	for _, c := range subcommands("app") {
		if !strings.Contains(out, c.path+" "+c.args) || !strings.Contains(out, c.examples[0]) {
			t.Errorf("app --help lacks %s or its example:\n%s", c.path, out)
		}
	}
	code, out, _ = runCLI("help")
	if code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out, "mesosbox "+c.path) {
			t.Errorf("help lacks %s", c.path)
		}
	}
	if code, out, _ := runCLI(); code != 2 || out != "" {
		t.Errorf("no arguments: exit %d, stdout %q", code, out)
	}
	// Usage errors give the table's usage line.
	code, _, errs := runCLI("app", "scale", "/web")
	if code != 2 {
		t.Errorf("app scale /web: exit %d", code)
	}
	wantOneLine(t, "app scale /web", errs, "mesosbox app scale: usage: mesosbox app scale ID N [flags] (see: mesosbox app scale --help)")
	code, _, errs = runCLI("job", "frob")
	if code != 2 {
		t.Errorf("job frob: exit %d", code)
	}
	wantOneLine(t, "job frob", errs, "usage: mesosbox job list | show NAME | apply FILE | run NAME | kill NAME | delete NAME | graph")
	// Unknown commands are usage errors, also when help is asked for.
	for _, args := range [][]string{{"help", "frob"}, {"frob", "--help"}, {"app", "frob", "--help"}, {"help", "app", "frob"}} {
		code, _, errs := runCLI(args...)
		if code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
		wantOneLine(t, strings.Join(args, " "), errs, `unknown command "frob"`)
	}
}

// TestEveryCommandIsDispatched checks that Run knows each first word of
// the command table (a bad flag gets that command's own answer, not
// "unknown command").
func TestEveryCommandIsDispatched(t *testing.T) {
	for _, name := range topLevelNames() {
		_, _, errs := runCLI(name, "--no-such-flag")
		if strings.Contains(errs, "unknown command") {
			t.Errorf("%s: %q", name, errs)
		}
	}
}
