package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mesosbox/mesosbox/appliance"
)

// wantsHelp reports whether args ask for help: -h, -help or --help
// anywhere before a "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// helpCmd prints help for the command named by words (`mesosbox help app
// apply`, or `mesosbox app apply --help` with the help flag removed):
// everything when words is empty, exit 2 for an unknown command.
func helpCmd(words []string, stdout, stderr io.Writer) int {
	var named []string
	for _, w := range words {
		if !strings.HasPrefix(w, "-") {
			named = append(named, w)
		}
	}
	if len(named) == 0 {
		printUsage(stdout)
		return 0
	}
	path, rest := resolveCommand(named)
	if path == "" {
		fmt.Fprintf(stderr, "mesosbox: unknown command %q (try: mesosbox help)\n", named[0])
		return 2
	}
	if c := findCommand(path); c != nil {
		printCommandHelp(stdout, c)
		return 0
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "mesosbox %s: unknown command %q (try: mesosbox help %s)\n", path, rest[0], path)
		return 2
	}
	printGroupHelp(stdout, path)
	return 0
}

// usageLine is "mesosbox PATH ARGS [flags]" for a command, and the list
// of its subcommands for a group ("mesosbox app list | show ID | ...").
func usageLine(path string) string {
	if c := findCommand(path); c != nil {
		line := "mesosbox " + strings.TrimSpace(c.path+" "+c.args)
		if len(c.flags) > 0 {
			line += " [flags]"
		}
		return line
	}
	var subs []string
	for _, c := range subcommands(path) {
		subs = append(subs, strings.TrimSpace(strings.TrimPrefix(c.path, path+" ")+" "+c.args))
	}
	return "mesosbox " + path + " " + strings.Join(subs, " | ")
}

// printUsage prints every command with its summary.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "mesosbox — Apache Mesos, Marathon and Chronos in one binary.\n\nUsage:\n")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  mesosbox %s\t%s\n", strings.TrimSpace(c.path+" "+c.args), c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Every command takes --help (or: mesosbox help COMMAND). Exit status: 0 done,
1 the node or the API said no (the message is the API's), 2 a usage error.

Ports of a node: 5050 Mesos master and UI, 5051 Mesos agent,
8080 Marathon API and UI, 4400 Chronos API and UI, 5049 Raft.
`)
}

// printGroupHelp prints the subcommands of group ("app") and an example
// of each.
func printGroupHelp(w io.Writer, group string) {
	fmt.Fprintf(w, "Usage: mesosbox %s COMMAND [flags]\n\nCommands:\n", group)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	subs := subcommands(group)
	for _, c := range subs {
		fmt.Fprintf(tw, "  %s\t%s\n", strings.TrimSpace(c.path+" "+c.args), c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nExamples:\n")
	for _, c := range subs {
		fmt.Fprintf(w, "  %s\n", c.examples[0])
	}
	fmt.Fprintf(w, "\nFlags of each command: mesosbox %s COMMAND --help\n", group)
}

// printCommandHelp prints c's usage line, summary, flags and examples.
func printCommandHelp(w io.Writer, c *command) {
	fs := groupFlags(c.path)
	if c.path == "serve" {
		appliance.PrintServeUsage(w, fs) // its own table, with each flag's environment variable
		return
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", usageLine(c.path), upperFirst(c.summary))
	if len(c.flags) > 0 {
		fmt.Fprint(w, "\nFlags:\n")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, name := range c.flags {
			f := fs.Lookup(name)
			if f == nil {
				panic("mesosbox " + c.path + ": the command table names a flag it does not define: " + name)
			}
			fmt.Fprintf(tw, "  %s\t%s\n", flagSynopsis(f), flagMeaning(f))
		}
		tw.Flush()
	}
	fmt.Fprint(w, "\nExamples:\n")
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

// flagSynopsis is "--name VALUE" (VALUE from a `quoted` word of the
// usage or the flag's type), or "--name" for a boolean flag.
func flagSynopsis(f *flag.Flag) string {
	value, _ := flag.UnquoteUsage(f)
	if isBoolFlag(f) {
		return dashed(f.Name)
	}
	if value == "" {
		value = "VALUE"
	}
	return dashed(f.Name) + " " + value
}

// dashed is how a flag is written: -f for one letter, --name otherwise
// (the flag package takes both).
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagMeaning is the flag's usage and, when it has one, its default.
func flagMeaning(f *flag.Flag) string {
	_, usage := flag.UnquoteUsage(f)
	if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
		usage += " (default " + f.DefValue + ")"
	}
	return usage
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
