package appliance

import (
	"bytes"
	"fmt"
	"os"

	"github.com/mesosbox/mesosbox/appliance/auth"
)

// joinAnswer is the leader's answer to a join: the cluster's generated
// login, when its nodes use one, so that one login works on every node.
// Whoever holds the join token can already act as a node, so the login
// tells them nothing more; with TLS the answer travels encrypted.
type joinAnswer struct {
	Credentials string `json:"credentials,omitempty"`
}

// adoptClusterLogin ends the wait of a node that joined without a login
// of its own (see loadCredentials): it keeps the cluster's generated
// login from the join answer in its data directory, or generates one
// when the cluster has none to hand (its leader has --http-credentials or
// serves loopback) or when the node did not join now (it restarted after
// a join that ended before it kept a login).
func (n *Node) adoptClusterLogin(cluster []byte) error {
	if !n.sec.awaitingLogin {
		return nil
	}
	n.sec.awaitingLogin = false
	path := n.generatedCredentialsPath()
	if len(cluster) == 0 {
		users, err := n.generateCredentials()
		if err != nil {
			return err
		}
		n.sec.guard.SetUsers(users)
		return nil
	}
	users, err := auth.Parse(bytes.NewReader(cluster), "the cluster's generated credentials")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keep the cluster's login: %w", err)
	}
	_, err = f.Write(cluster)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("keep the cluster's login: %w", err)
	}
	n.sec.generated.Store(&cluster)
	n.sec.guard.SetUsers(users)
	n.log.Warn("joined without --http-credentials: the HTTP ports ask for the cluster's generated admin login",
		"user", auth.GeneratedUser, "file", path)
	return nil
}
