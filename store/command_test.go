package store

import (
	"bytes"
	"encoding/json"
	"testing"
)

// htmlCmd has what json.Marshal escapes, so that the hand-built envelopes
// are checked against it byte for byte.
type htmlCmd struct {
	Key   string
	Value string
}

func (htmlCmd) CommandType() string { return "test.<html>&" }

// The hand-built encodings are what json.Marshal writes, so that the Raft
// log of this version and of earlier ones read the same.
func TestEncodingIsJSONMarshal(t *testing.T) {
	cmds := []Command{putCmd{Key: "k", Value: "v"}, htmlCmd{Key: "<a href=\"x\">", Value: "&\u2028\n"}}
	var b batchCmd
	for _, c := range cmds {
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(envelope{Type: c.CommandType(), Data: data})
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeCommand(c)
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != encodingV1 || !bytes.Equal(got[1:], want) {
			t.Fatalf("encodeCommand(%T):\n got %s\nwant %s", c, got[1:], want)
		}
		b.Entries = append(b.Entries, got[1:])
	}
	want, err := encodeCommand(b)
	if err != nil {
		t.Fatal(err)
	}
	got := encodeEnvelope(b.CommandType(), []byte(`{"e":[`+string(b.Entries[0])+`,`+string(b.Entries[1])+`]}`))
	if !bytes.Equal(got, want) {
		t.Fatalf("batch:\n got %s\nwant %s", got, want)
	}
}

func TestCutEnvelopeTakesOnlyItsOwnForm(t *testing.T) {
	for _, tc := range []struct {
		body, typ, data string
		ok              bool
	}{
		{`{"t":"a.b","d":{"x":1}}`, "a.b", `{"x":1}`, true},
		{`{"t":"a.b","d":{}}`, "a.b", `{}`, true},
		{`{"t":"a\"b","d":{}}`, "", "", false}, // an escape: json.Unmarshal decodes it
		{`{"d":{},"t":"a.b"}`, "", "", false},
		{`{"t": "a.b", "d": {}}`, "", "", false},
		{`{"t":"a.b","d":{}} `, "", "", false},
		{`{"t":"a.b","d":`, "", "", false},
		{`{"t":"a.b`, "", "", false},
	} {
		env, ok := cutEnvelope([]byte(tc.body))
		if ok != tc.ok || env.Type != tc.typ || string(env.Data) != tc.data {
			t.Errorf("cutEnvelope(%s) = %q %s %v", tc.body, env.Type, env.Data, ok)
		}
	}
	// Other forms still decode, through json.Unmarshal.
	if _, err := applyEncoded(nil, append([]byte{encodingV1}, `{"d":{}, "t":"nope"}`...)); err == nil || !bytes.Contains([]byte(err.Error()), []byte(`"nope"`)) {
		t.Fatalf("reordered envelope: %v", err)
	}
}
