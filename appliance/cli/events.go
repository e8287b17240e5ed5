package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"
)

// eventsCmd streams Marathon's /v2/events (server-sent events) until
// interrupted, one line per event: its time, type and the app or task it
// concerns; --json prints each event's JSON instead. --type filters by
// event type (repeatable, Marathon's event_type parameter) and --count
// stops after that many events, for scripts.
func eventsCmd(args []string, stdout, stderr io.Writer) int {
	fs, opt := newEventsFlags()
	addr, asJSON, count := opt.marathon, opt.json, opt.count
	if rest, err := parseInterspersed(fs, args); err != nil || len(rest) > 0 {
		return usageError(stderr, "events")
	}
	q := url.Values{}
	for _, t := range *opt.types {
		q.Add("event_type", t)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme()+"://"+*addr+"/v2/events?"+q.Encode(), nil)
	if err != nil {
		return fail(stderr, "events", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	creds, err := authorize(req)
	if err != nil {
		return fail(stderr, "events", err)
	}
	resp, err := (&http.Client{Transport: cliTransport{}}).Do(req) // no timeout: the stream is long-lived
	if err != nil {
		return fail(stderr, "events", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return fail(stderr, "events", unauthorized(creds))
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fail(stderr, "events", fmt.Errorf("%s: %s", resp.Status, describeError(body)))
	}
	seen := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue // event:, comments (keep-alives) and blank separators
		}
		data = strings.TrimSpace(data)
		if *asJSON {
			fmt.Fprintln(stdout, data)
		} else {
			fmt.Fprintln(stdout, eventLine(data))
		}
		if seen++; *count > 0 && seen >= *count {
			return 0
		}
	}
	if ctx.Err() != nil {
		return 0
	}
	if err := sc.Err(); err != nil {
		return fail(stderr, "events", err)
	}
	return fail(stderr, "events", fmt.Errorf("the event stream ended"))
}

// eventsOptions are the flags of mesosbox events.
type eventsOptions struct {
	marathon *string
	json     *bool
	count    *int
	types    *[]string
}

func newEventsFlags() (*flag.FlagSet, *eventsOptions) {
	fs := newFlagSet("events")
	authFileFlag(fs)
	opt := &eventsOptions{
		marathon: marathonAddress(fs),
		json:     fs.Bool("json", false, "print each event's JSON"),
		count:    fs.Int("count", 0, "stop after this many events (0: never)"),
		types:    new([]string),
	}
	fs.Func("type", "only events of this `TYPE` (repeatable)", func(v string) error { *opt.types = append(*opt.types, v); return nil })
	return fs, opt
}

// eventLine summarises one event for a person.
func eventLine(data string) string {
	var e struct {
		EventType  string `json:"eventType"`
		Timestamp  string `json:"timestamp"`
		AppID      string `json:"appId"`
		TaskID     string `json:"taskId"`
		TaskStatus string `json:"taskStatus"`
		ID         string `json:"id"`
		URI        string `json:"uri"`
		RunSpecID  string `json:"runSpecId"`  // instance_changed_event
		InstanceID string `json:"instanceId"` // instance_changed_event
		Condition  string `json:"condition"`  // instance_changed_event
		GroupID    string `json:"groupId"`    // group_change_success
		AppDef     struct {
			ID string `json:"id"`
		} `json:"appDefinition"`
		Plan struct {
			ID string `json:"id"`
		} `json:"plan"` // deployment_info
	}
	if json.Unmarshal([]byte(data), &e) != nil {
		return data
	}
	ts := e.Timestamp
	if t, err := time.Parse(time.RFC3339Nano, e.Timestamp); err == nil {
		ts = t.Local().Format("15:04:05.000")
	}
	parts := []string{ts, e.EventType}
	for _, v := range []string{e.AppID, e.RunSpecID, e.GroupID, e.AppDef.ID, e.URI, e.TaskID, e.InstanceID, e.TaskStatus, e.Condition, e.ID, e.Plan.ID} {
		if v != "" && !slices.Contains(parts, v) { // deployment_success has its id twice
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, "  ")
}
