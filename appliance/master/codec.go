package master

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/mesosbox/mesosbox/appliance/master/mesosjson"
)

// Media types of the v1 HTTP APIs.
const (
	mediaJSON     = "application/json"
	mediaProtobuf = "application/x-protobuf"
	mediaRecordIO = "application/recordio"
)

// message is what the generated Mesos types implement for both encodings.
type message interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

// codec is one of the two encodings of the v1 API.
type codec struct{ media string }

func (c codec) encode(m message) ([]byte, error) {
	if c.media == mediaProtobuf {
		return m.Marshal()
	}
	return mesosjson.Marshal(m)
}

func (c codec) decode(b []byte, m message) error {
	if c.media == mediaProtobuf {
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

// requestCodec picks the request body's encoding from Content-Type: Mesos
// answers a missing one with 400 and an unknown one with 415.
func requestCodec(r *http.Request) (codec, int, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return codec{}, http.StatusBadRequest, errors.New("Expecting 'Content-Type' to be present")
	}
	media, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return codec{}, http.StatusUnsupportedMediaType, errors.New("Expecting 'Content-Type' of application/json or application/x-protobuf")
	}
	switch media {
	case mediaJSON, mediaProtobuf:
		return codec{media}, 0, nil
	}
	return codec{}, http.StatusUnsupportedMediaType, errors.New("Expecting 'Content-Type' of application/json or application/x-protobuf")
}

// responseCodec picks the response encoding from Accept (JSON when absent
// or */*). streaming is set when the client asked for application/recordio,
// in which case Message-Accept names the encoding of each record.
func responseCodec(r *http.Request) (c codec, streaming bool, ok bool) {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return codec{mediaJSON}, false, true
	}
	for _, part := range strings.Split(accept, ",") {
		media, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch media {
		case mediaJSON, "*/*", "application/*":
			return codec{mediaJSON}, false, true
		case mediaProtobuf:
			return codec{mediaProtobuf}, false, true
		case mediaRecordIO:
			msg := r.Header.Get("Message-Accept")
			if msg == "" || strings.Contains(msg, mediaJSON) || strings.Contains(msg, "*/*") {
				return codec{mediaJSON}, true, true
			}
			if strings.Contains(msg, mediaProtobuf) {
				return codec{mediaProtobuf}, true, true
			}
			return codec{}, false, false
		}
	}
	return codec{}, false, false
}

// readCall checks a v1 API request as Mesos does (POST only; Content-Type
// and Accept encodings) and reads its body. On failure it has answered
// and returns ok false.
func readCall(w http.ResponseWriter, r *http.Request) (in, out codec, streaming bool, body []byte, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		httpError(w, http.StatusMethodNotAllowed, "Expecting a 'POST' request, received '"+r.Method+"'")
		return
	}
	in, code, err := requestCodec(r)
	if err != nil {
		httpError(w, code, err.Error())
		return
	}
	out, streaming, ok = responseCodec(r)
	if !ok {
		httpError(w, http.StatusNotAcceptable, "Expecting 'Accept' to allow application/json or application/x-protobuf")
		return
	}
	body, err = io.ReadAll(io.LimitReader(r.Body, maxCallBytes))
	if err != nil {
		httpError(w, http.StatusBadRequest, "Failed to read body: "+err.Error())
		return in, out, streaming, nil, false
	}
	return in, out, streaming, body, true
}

// decodeJSONBody reads one JSON value of at most maxCallBytes from body
// into v and refuses anything after it, which json.Decoder alone would
// quietly leave unread ("{...}}" or "{...} x" would pass).
func decodeJSONBody(body io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(body, maxCallBytes))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
