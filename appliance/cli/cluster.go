package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
)

// nodeAddress is the node the cluster commands talk to: --address, else
// MESOSBOX_ADDR, else the local node's master port.
func nodeAddress(fs *flag.FlagSet) *string {
	def := envOr("MESOSBOX_ADDR", "127.0.0.1:"+strconv.Itoa(appliance.DefaultConfig().MasterPort))
	return fs.String("address", def, "`HOST:PORT` of a node's master (env MESOSBOX_ADDR)")
}

var httpClient = &http.Client{Timeout: 15 * time.Second, Transport: cliTransport{}}

// newMembersFlags are the flags of members and leave (which ignores
// --json).
func newMembersFlags(name string) (fs *flag.FlagSet, addr *string, asJSON *bool) {
	fs = newFlagSet(name)
	authFileFlag(fs)
	addr = nodeAddress(fs)
	if name == "members" {
		asJSON = fs.Bool("json", false, "print JSON")
	}
	return fs, addr, asJSON
}

func membersCmd(args []string, stdout, stderr io.Writer) int {
	fs, addr, asJSON := newMembersFlags("members")
	if _, err := parseInterspersed(fs, args); err != nil {
		return usageError(stderr, "members")
	}
	resp, err := call(http.MethodGet, scheme()+"://"+*addr+"/cluster/members", nil)
	if err != nil {
		return fail(stderr, "members", err)
	}
	if *asJSON {
		writeJSONOut(stdout, resp.Body)
		return 0
	}
	var ms []appliance.MemberInfo
	if err := json.Unmarshal(resp.Body, &ms); err != nil {
		return fail(stderr, "members", err)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRAFT ADDRESS\tSTATE\tLEADER")
	for _, m := range ms {
		leader := ""
		if m.Leader {
			leader = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.Address, m.State, leader)
	}
	tw.Flush()
	return 0
}

func leaveCmd(args []string, stdout, stderr io.Writer) int {
	fs, addr, _ := newMembersFlags("leave")
	names, err := parseInterspersed(fs, args)
	if err != nil || len(names) > 1 {
		return usageError(stderr, "leave")
	}
	body := []byte{}
	if len(names) == 1 {
		body, _ = json.Marshal(map[string]string{"name": names[0]})
	}
	if _, err := call(http.MethodPost, scheme()+"://"+*addr+"/cluster/leave", body); err != nil {
		return fail(stderr, "leave", err)
	}
	fmt.Fprintln(stdout, "left the cluster")
	return 0
}
