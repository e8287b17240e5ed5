package appliance

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mesosbox/mesosbox/store"
)

// The cluster endpoints on the master port replace what ZooKeeper's
// ensemble configuration did: a new node asks any member to be added; the
// leader adds it as a Raft voter if it presents the cluster's join token.
const (
	joinPath    = "/cluster/join"
	leavePath   = "/cluster/leave"
	membersPath = "/cluster/members"
)

// joinTokenFile holds the cluster's join token (mode 0600) in the data dir.
const joinTokenFile = "join-token"

type joinRequest struct {
	Name  string `json:"name"`
	Raft  string `json:"raft"` // host:port of the new member's Raft transport
	Token string `json:"token"`
}

// MemberInfo is one row of GET /cluster/members.
type MemberInfo struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	State   string `json:"state"`
	Leader  bool   `json:"leader"`
	Voter   bool   `json:"voter"`
}

// setupJoinToken makes sure the data dir holds the cluster's token: the
// first node generates one; a joining node keeps the one it was given, so
// it can admit others once it leads.
func (n *Node) setupJoinToken() error {
	path := filepath.Join(n.cfg.DataDir, joinTokenFile)
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		n.joinToken = strings.TrimSpace(string(b))
		if n.cfg.JoinToken != "" && n.cfg.JoinToken != n.joinToken {
			return fmt.Errorf("--join-token differs from the token in %s", path)
		}
		return nil
	}
	token := n.cfg.JoinToken
	if token == "" {
		if len(n.cfg.Join) > 0 {
			return errors.New("--join needs the cluster's --join-token (it is in DATA_DIR/join-token on the first node)")
		}
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		token = hex.EncodeToString(b[:])
	}
	n.joinToken = token
	return os.WriteFile(path, []byte(token+"\n"), 0o600)
}

func (n *Node) mountCluster() {
	n.routes.Master.Post(joinPath, n.serveJoin)
	n.routes.Master.Post(leavePath, n.serveLeave)
	n.routes.Master.Get(membersPath, n.serveMembers)
}

// onLeader answers a request meant for the leader: it returns false after
// redirecting (307, as Mesos' masters do) or answering 503.
func (n *Node) onLeader(w http.ResponseWriter, r *http.Request) bool {
	if n.store.IsLeader() {
		return true
	}
	if host := n.LeaderHost(); host != "" {
		w.Header().Set("Location", n.scheme(n.cfg.MasterPort)+"://"+n.cfg.addr(host, n.cfg.MasterPort)+r.URL.RequestURI())
		w.WriteHeader(http.StatusTemporaryRedirect)
		return false
	}
	http.Error(w, "No leader elected", http.StatusServiceUnavailable)
	return false
}

func (n *Node) serveJoin(w http.ResponseWriter, r *http.Request) {
	var req joinRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.Name == "" || req.Raft == "" {
		http.Error(w, "join needs a JSON body with name, raft and token", http.StatusBadRequest)
		return
	}
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(n.joinToken)) != 1 {
		http.Error(w, "the join token does not match this cluster's", http.StatusForbidden)
		return
	}
	if n.sec.tls != nil && (r.TLS == nil || len(r.TLS.VerifiedChains) == 0) {
		// Its Raft traffic would be refused anyway: the new member must
		// hold a certificate of the cluster's CA.
		http.Error(w, "joining this cluster needs a node certificate signed by its CA (--tls-cert)", http.StatusForbidden)
		return
	}
	if !n.onLeader(w, r) {
		return
	}
	if err := n.store.AddVoter(req.Name, req.Raft); err != nil {
		http.Error(w, "add voter: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	n.log.Info("member joined", "member", req.Name, "raft", req.Raft)
	var answer joinAnswer
	if b := n.sec.generated.Load(); b != nil {
		answer.Credentials = string(*b)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

// serveLeave removes a member: the one named in the body ({"name":...})
// or the query (?name=), else this node itself. A follower redirects to
// the leader with the name in the query, so the leader removes the right
// node whatever body the client re-sends.
func (n *Node) serveLeave(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "leave takes {\"name\": NODE} or an empty body", http.StatusBadRequest)
			return
		}
	}
	if req.Name == "" {
		req.Name = r.URL.Query().Get("name")
	}
	if req.Name == "" {
		req.Name = n.cfg.NodeName
	}
	if !n.store.IsLeader() {
		r.URL.RawQuery = url.Values{"name": {req.Name}}.Encode()
		n.onLeader(w, r)
		return
	}
	if err := n.store.RemoveServer(req.Name); err != nil {
		http.Error(w, "remove member: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	n.log.Info("member left", "member", req.Name)
	w.WriteHeader(http.StatusOK)
}

func (n *Node) serveMembers(w http.ResponseWriter, _ *http.Request) {
	ms, err := n.store.Members()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	out := make([]MemberInfo, 0, len(ms))
	for _, m := range ms {
		out = append(out, MemberInfo{Name: m.ID, Address: m.Addr, Voter: m.Voter, Leader: m.Leader, State: memberState(n.store, m)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// memberState is the Raft state of a member as this node can tell it: its
// own exactly, the others' from the configuration and the leader's id.
func memberState(st *store.Store, m store.Member) string {
	switch {
	case m.ID == st.NodeID():
		return st.State()
	case m.Leader:
		return "Leader"
	case m.Voter:
		return "Follower"
	}
	return "Nonvoter"
}

// join asks the members named by --join, in turn, to add this node, until
// one answers (the cluster may be starting too, so it retries for a while).
// A refused token ends it at once: retrying cannot help. It returns the
// cluster's generated login, if the leader handed one.
func (n *Node) join(ctx context.Context) ([]byte, error) {
	body, _ := json.Marshal(joinRequest{Name: n.cfg.NodeName, Raft: n.cfg.AdvertiseAddr(n.cfg.RaftPort), Token: n.joinToken})
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		for _, m := range n.cfg.Join {
			answer, err := postJoin(ctx, n.internalClient(), n.scheme(n.cfg.MasterPort)+"://"+joinHost(m, n.cfg.MasterPort)+joinPath, body)
			if err == nil {
				n.log.Info("joined the cluster", "via", m)
				return []byte(answer.Credentials), nil
			}
			var refused *joinRefused
			if errors.As(err, &refused) {
				return nil, err
			}
			last = err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("could not join %s: %v", strings.Join(n.cfg.Join, ","), last)
}

type joinRefused struct{ msg string }

func (e *joinRefused) Error() string { return e.msg }

// joinHost is a --join member as host:port, the port defaulting to the
// master port.
func joinHost(member string, defaultPort int) string {
	if _, _, err := net.SplitHostPort(member); err != nil {
		member = net.JoinHostPort(member, strconv.Itoa(defaultPort))
	}
	return member
}

// postJoin asks one member; client signs the request as this node, the
// join token being the cluster's password.
func postJoin(ctx context.Context, client *http.Client, url string, body []byte) (joinAnswer, error) {
	var answer joinAnswer
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req) // follows the 307 to the leader with the body
	var badCert *tls.CertificateVerificationError
	if errors.As(err, &badCert) {
		// The member's certificate is not from this node's CA: another
		// cluster, or a wrong --tls-ca; retrying cannot help.
		return answer, &joinRefused{fmt.Sprintf("join refused: %v", err)}
	}
	if err != nil {
		return answer, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	switch {
	case resp.StatusCode == http.StatusOK:
		// An empty body is a leader that hands no login.
		if len(bytes.TrimSpace(msg)) > 0 {
			if err := json.Unmarshal(msg, &answer); err != nil {
				return answer, fmt.Errorf("%s: the join answer is not JSON: %v", url, err)
			}
		}
		return answer, nil
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusBadRequest:
		return answer, &joinRefused{fmt.Sprintf("join refused by %s: %.1024s", req.URL.Host, strings.TrimSpace(string(msg)))}
	}
	return answer, fmt.Errorf("%s: %s %.1024s", url, resp.Status, strings.TrimSpace(string(msg)))
}
