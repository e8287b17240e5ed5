package master

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/mesosbox/mesosbox/appliance/master/v1http"
)

// The v1 encodings and call reading live in v1http, which the agent's
// operator API shares.
type (
	codec   = v1http.Codec
	message = v1http.Message
)

const (
	mediaJSON     = v1http.MediaJSON
	mediaProtobuf = v1http.MediaProtobuf
	mediaRecordIO = v1http.MediaRecordIO
)

func readCall(w http.ResponseWriter, r *http.Request) (in, out codec, streaming bool, body []byte, ok bool) {
	return v1http.ReadCall(w, r, maxCallBytes)
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
