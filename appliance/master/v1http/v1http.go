// Package v1http is what the master's and the agent's v1 HTTP APIs share:
// the JSON and protobuf encodings, and reading a call as Mesos does
// (POST only, Content-Type and Accept negotiated, errors as plain text).
package v1http

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	mesos "github.com/mesos/mesos-go/api/v1/lib"

	"github.com/mesosbox/mesosbox/appliance/buildinfo"
	"github.com/mesosbox/mesosbox/appliance/master/mesosjson"
)

// Media types of the v1 HTTP APIs.
const (
	MediaJSON     = "application/json"
	MediaProtobuf = "application/x-protobuf"
	MediaRecordIO = "application/recordio"
)

// Message is what the generated Mesos types implement for both encodings.
type Message interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// Codec is one of the two encodings of the v1 APIs.
type Codec struct{ Media string }

// Encode writes m in the codec's encoding (JSON without nulls, as Mesos).
func (c Codec) Encode(m Message) ([]byte, error) {
	if c.Media == MediaProtobuf {
		return m.Marshal()
	}
	return mesosjson.Marshal(m)
}

// Decode reads b into m and refuses a message missing a required field.
func (c Codec) Decode(b []byte, m Message) error {
	if c.Media == MediaProtobuf {
		return m.Unmarshal(b)
	}
	if err := json.Unmarshal(b, m); err != nil {
		return err
	}
	// Mesos parses JSON into protobuf and refuses a message missing a
	// required field (a resource without its type, say); encoding/json
	// does not check, and such a message could never be encoded again:
	// every protobuf reader of the state would fail on it.
	if _, err := m.Marshal(); err != nil {
		return err
	}
	return nil
}

// RequestCodec picks the request body's encoding from Content-Type: Mesos
// answers a missing one with 400 and an unknown one with 415.
func RequestCodec(r *http.Request) (Codec, int, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return Codec{}, http.StatusBadRequest, errors.New("Expecting 'Content-Type' to be present")
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return Codec{}, http.StatusUnsupportedMediaType, errors.New("Expecting 'Content-Type' of application/json or application/x-protobuf")
	}
	switch media {
	case MediaJSON, MediaProtobuf:
		return Codec{Media: media}, 0, nil
	}
	return Codec{}, http.StatusUnsupportedMediaType, errors.New("Expecting 'Content-Type' of application/json or application/x-protobuf")
}

// ResponseCodec picks the response encoding from Accept (JSON when absent
// or */*). streaming is set when the client asked for application/recordio,
// in which case Message-Accept names the encoding of each record.
func ResponseCodec(r *http.Request) (c Codec, streaming bool, ok bool) {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return Codec{Media: MediaJSON}, false, true
	}
	for _, part := range strings.Split(accept, ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case MediaJSON, "*/*", "application/*":
			return Codec{Media: MediaJSON}, false, true
		case MediaProtobuf:
			return Codec{Media: MediaProtobuf}, false, true
		case MediaRecordIO:
			msg := r.Header.Get("Message-Accept")
			if msg == "" || strings.Contains(msg, MediaJSON) || strings.Contains(msg, "*/*") {
				return Codec{Media: MediaJSON}, true, true
			}
			if strings.Contains(msg, MediaProtobuf) {
				return Codec{Media: MediaProtobuf}, true, true
			}
			return Codec{}, false, false
		}
	}
	return Codec{}, false, false
}

// ReadCall checks a v1 API request as Mesos does (POST only; Content-Type
// and Accept encodings) and reads its body. On failure it has answered
// and returns ok false.
func ReadCall(w http.ResponseWriter, r *http.Request, maxBytes int64) (in, out Codec, streaming bool, body []byte, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		Error(w, http.StatusMethodNotAllowed, "Expecting a 'POST' request, received '"+r.Method+"'")
		return
	}
	in, code, err := RequestCodec(r)
	if err != nil {
		Error(w, code, err.Error())
		return
	}
	out, streaming, ok = ResponseCodec(r)
	if !ok {
		Error(w, http.StatusNotAcceptable, "Expecting 'Accept' to allow application/json or application/x-protobuf")
		return
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, maxBytes))
	if err != nil {
		Error(w, http.StatusBadRequest, "Failed to read body: "+err.Error())
		return in, out, streaming, nil, false
	}
	return in, out, streaming, body, true
}

// Write answers a call with resp in the out encoding.
func Write(w http.ResponseWriter, out Codec, resp Message) {
	b, err := out.Encode(resp)
	if err != nil {
		Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", out.Media)
	w.Write(b)
}

// VersionInfo is what GET_VERSION answers on the master and the agent.
func VersionInfo() mesos.VersionInfo {
	date, sha, tag, user := buildinfo.BuildDate, buildinfo.GitSHA, buildinfo.Version, "mesosbox"
	return mesos.VersionInfo{Version: buildinfo.MesosVersion, BuildDate: &date, GitSHA: &sha, GitTag: &tag, BuildUser: &user}
}

// Error answers a v1 call with Mesos' plain-text error.
func Error(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	io.WriteString(w, msg)
}
