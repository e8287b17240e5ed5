package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"text/tabwriter"

	"github.com/mesosbox/mesosbox/appliance"
)

// clusterStatus is what `mesosbox status` shows; --json prints it as is.
type clusterStatus struct {
	Leader  string                 `json:"leader"`
	Members []appliance.MemberInfo `json:"members"`
	Agents  []agentStatus          `json:"agents"`
	Apps    *int                   `json:"apps"` // nil when Marathon did not answer
	Jobs    *int                   `json:"jobs"` // nil when Chronos did not answer
}

// agentStatus is one agent of /master/state with its used and total
// resources.
type agentStatus struct {
	ID       string         `json:"id"`
	Hostname string         `json:"hostname"`
	Active   bool           `json:"active"`
	Total    agentResources `json:"resources"`
	Used     agentResources `json:"used_resources"`
}

type agentResources struct {
	Cpus float64 `json:"cpus"`
	Mem  float64 `json:"mem"`
	Disk float64 `json:"disk"`
}

// statusOptions are the flags of mesosbox status.
type statusOptions struct {
	address, marathon, chronos *string
	json                       *bool
}

func newStatusFlags() (*flag.FlagSet, *statusOptions) {
	fs := newFlagSet("status")
	authFileFlag(fs)
	return fs, &statusOptions{
		address:  nodeAddress(fs),
		marathon: marathonAddress(fs),
		chronos:  chronosAddress(fs),
		json:     fs.Bool("json", false, "print JSON"),
	}
}

// statusCmd is `mesosbox status`: the cluster at a glance. It prints what
// it could gather and exits 1 if any part of the cluster did not answer.
func statusCmd(args []string, stdout, stderr io.Writer) int {
	fs, opt := newStatusFlags()
	addr, marathon, chronos, asJSON := opt.address, opt.marathon, opt.chronos, opt.json
	if pos, err := parseInterspersed(fs, args); err != nil || len(pos) > 0 {
		return usageError(stderr, "status")
	}
	// Marathon and Chronos default to the host of --address.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if host, _, err := net.SplitHostPort(*addr); err == nil {
		def := appliance.DefaultConfig()
		if !set["marathon"] && envOr("MESOSBOX_MARATHON_ADDR", "") == "" {
			*marathon = net.JoinHostPort(host, strconv.Itoa(def.MarathonPort))
		}
		if !set["chronos"] && envOr("MESOSBOX_CHRONOS_ADDR", "") == "" {
			*chronos = net.JoinHostPort(host, strconv.Itoa(def.ChronosPort))
		}
	}

	var st clusterStatus
	failed := false
	report := func(what string, err error) {
		fmt.Fprintf(stderr, "mesosbox status: %s: %v\n", what, err)
		failed = true
	}
	if r, err := call(http.MethodGet, scheme()+"://"+*addr+"/cluster/members", nil); err != nil {
		report("members", err)
	} else if err := json.Unmarshal(r.Body, &st.Members); err != nil {
		report("members", err)
	}
	if r, err := call(http.MethodGet, scheme()+"://"+*addr+"/master/state", nil); err != nil {
		report("master", err)
	} else {
		var ms struct {
			Leader string        `json:"leader"`
			Slaves []agentStatus `json:"slaves"`
		}
		if err := json.Unmarshal(r.Body, &ms); err != nil {
			report("master", err)
		}
		st.Leader, st.Agents = ms.Leader, ms.Slaves
	}
	if r, err := call(http.MethodGet, scheme()+"://"+*marathon+"/v2/apps", nil); err != nil {
		report("marathon", err)
	} else {
		var list struct{ Apps []json.RawMessage }
		if err := json.Unmarshal(r.Body, &list); err != nil {
			report("marathon", err)
		} else {
			k := len(list.Apps)
			st.Apps = &k
		}
	}
	if r, err := call(http.MethodGet, scheme()+"://"+*chronos+"/v1/scheduler/jobs", nil); err != nil {
		report("chronos", err)
	} else {
		var jobs []json.RawMessage
		if err := json.Unmarshal(r.Body, &jobs); err != nil {
			report("chronos", err)
		} else {
			k := len(jobs)
			st.Jobs = &k
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(st, "", "  ")
		writeJSONOut(stdout, b)
	} else {
		printStatus(stdout, &st)
	}
	if failed {
		return 1
	}
	return 0
}

func printStatus(w io.Writer, st *clusterStatus) {
	count := func(p *int) string {
		if p == nil {
			return "unknown"
		}
		return strconv.Itoa(*p)
	}
	leader := st.Leader
	if leader == "" {
		leader = "unknown"
	}
	fmt.Fprintf(w, "Leader: %s\nApps: %s\nJobs: %s\n", leader, count(st.Apps), count(st.Jobs))
	fmt.Fprintf(w, "\nMembers: %d\n", len(st.Members))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRAFT ADDRESS\tSTATE\tLEADER")
	for _, m := range st.Members {
		l := ""
		if m.Leader {
			l = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Name, m.Address, m.State, l)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nAgents: %d\n", len(st.Agents))
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HOSTNAME\tACTIVE\tCPUS USED/TOTAL\tMEM USED/TOTAL\tID")
	for _, a := range st.Agents {
		fmt.Fprintf(tw, "%s\t%t\t%g/%g\t%g/%g\t%s\n", a.Hostname, a.Active, a.Used.Cpus, a.Total.Cpus, a.Used.Mem, a.Total.Mem, a.ID)
	}
	tw.Flush()
}
