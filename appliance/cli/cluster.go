package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mesosbox/mesosbox/appliance"
)

// nodeAddress is the node the cluster commands talk to: --address, else
// MESOSBOX_ADDR, else the local node's master port.
func nodeAddress(fs *flag.FlagSet) *string {
	def := envOr("MESOSBOX_ADDR", "127.0.0.1:"+strconv.Itoa(appliance.DefaultConfig().MasterPort))
	return fs.String("address", def, "HOST:PORT of a node's master port")
}

var httpClient = &http.Client{Timeout: 15 * time.Second}

func membersCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("members", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := nodeAddress(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		fmt.Fprintf(stderr, "mesosbox members: %v\n", err)
		return 2
	}
	resp, err := httpClient.Get("http://" + *addr + "/cluster/members")
	if err != nil {
		fmt.Fprintf(stderr, "mesosbox members: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "mesosbox members: %s: %s\n", resp.Status, strings.TrimSpace(string(body)))
		return 1
	}
	if *asJSON {
		stdout.Write(body)
		return 0
	}
	var ms []appliance.MemberInfo
	if err := json.Unmarshal(body, &ms); err != nil {
		fmt.Fprintf(stderr, "mesosbox members: %v\n", err)
		return 1
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
	fs := flag.NewFlagSet("leave", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := nodeAddress(fs)
	names, err := parseInterspersed(fs, args)
	if err != nil || len(names) > 1 {
		fmt.Fprintln(stderr, "mesosbox leave: usage: mesosbox leave [--address HOST:PORT] [NAME]")
		return 2
	}
	body := []byte{}
	if len(names) == 1 {
		body, _ = json.Marshal(map[string]string{"name": names[0]})
	}
	resp, err := httpClient.Post("http://"+*addr+"/cluster/leave", "application/json", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintf(stderr, "mesosbox leave: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "mesosbox leave: %s: %s\n", resp.Status, strings.TrimSpace(string(msg)))
		return 1
	}
	fmt.Fprintln(stdout, "left the cluster")
	return 0
}
