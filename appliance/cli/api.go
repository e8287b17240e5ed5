package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/mesosbox/mesosbox/appliance"
)

// serviceAddress registers a --NAME flag for the HOST:PORT of a service:
// the flag, else the environment variable env, else the local node's port.
func serviceAddress(fs *flag.FlagSet, name, env string, port int) *string {
	return fs.String(name, envOr(env, "127.0.0.1:"+strconv.Itoa(port)), "`HOST:PORT` of "+upperFirst(name)+" (env "+env+")")
}

// marathonAddress is --marathon, else MESOSBOX_MARATHON_ADDR, else the
// local node's Marathon port.
func marathonAddress(fs *flag.FlagSet) *string {
	return serviceAddress(fs, "marathon", "MESOSBOX_MARATHON_ADDR", appliance.DefaultConfig().MarathonPort)
}

// chronosAddress is --chronos, else MESOSBOX_CHRONOS_ADDR, else the local
// node's Chronos port.
func chronosAddress(fs *flag.FlagSet) *string {
	return serviceAddress(fs, "chronos", "MESOSBOX_CHRONOS_ADDR", appliance.DefaultConfig().ChronosPort)
}

// masterOf is the master the app and job commands read resources and
// tasks from: --address or MESOSBOX_ADDR when given, else the master port
// on the host of service (Marathon's or Chronos' HOST:PORT).
func masterOf(fs *flag.FlagSet, service, address string) string {
	given := os.Getenv("MESOSBOX_ADDR") != ""
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "address" })
	if host, _, err := net.SplitHostPort(service); err == nil && !given {
		address = net.JoinHostPort(host, strconv.Itoa(appliance.DefaultConfig().MasterPort))
	}
	return scheme() + "://" + address
}

// apiResponse is a finished API call: its status, headers and body.
type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends method url with an optional JSON body. A transport error or a
// status outside 2xx is returned as an error whose text is one line with
// the API's own message and details.
func call(method, url string, body []byte) (*apiResponse, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	creds, err := authorize(req)
	if err != nil {
		return nil, err
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	r := &apiResponse{Status: resp.StatusCode, Header: resp.Header, Body: data}
	if resp.StatusCode == http.StatusUnauthorized {
		return r, unauthorized(creds)
	}
	if resp.StatusCode/100 != 2 {
		return r, fmt.Errorf("%s: %s", resp.Status, describeError(data))
	}
	return r, nil
}

// describeError renders an API error body on one line: Marathon's
// {"message", "details": [{"path", "errors"}]} as "message: path errors;
// ...", its syntax errors {"message", "details": "..."} as "message:
// details", other JSON or text as it is with its newlines folded.
func describeError(body []byte) string {
	var e struct {
		Message     string          `json:"message"`
		Details     json.RawMessage `json:"details"`
		Deployments []struct {
			ID string `json:"id"`
		} `json:"deployments"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		s := e.Message
		var syntax string
		var details []struct {
			Path   string   `json:"path"`
			Errors []string `json:"errors"`
		}
		if json.Unmarshal(e.Details, &syntax) == nil && syntax != "" {
			s += ": " + syntax
		}
		_ = json.Unmarshal(e.Details, &details)
		for i, d := range details {
			if i == 0 {
				s += ": "
			} else {
				s += "; "
			}
			s += strings.TrimSpace(d.Path + " " + strings.Join(d.Errors, ", "))
		}
		for i, d := range e.Deployments {
			if i == 0 {
				s += " (deployments:"
			}
			s += " " + d.ID
			if i == len(e.Deployments)-1 {
				s += ")"
			}
		}
		return s
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		s = "(no body)"
	}
	return s
}

// fail prints a one-line error for cmd and returns exit status 1.
func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "mesosbox %s: %v\n", cmd, err)
	return 1
}

// usageError prints the usage line of cmd (a command, or a group such as
// "app" for an unknown subcommand) from the command table and returns
// exit status 2.
func usageError(stderr io.Writer, cmd string) int {
	fmt.Fprintf(stderr, "mesosbox %s: usage: %s (see: mesosbox %s --help)\n", cmd, usageLine(cmd), cmd)
	return 2
}

// writeJSONOut prints an API body for --json, ending it with a newline.
func writeJSONOut(w io.Writer, body []byte) {
	w.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		io.WriteString(w, "\n")
	}
}
