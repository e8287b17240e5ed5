package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A Command is one typed change to the replicated state. Each command type
// names itself and is registered once, with the function that applies it to
// a bbolt write transaction (Consul's "commands register themselves by type",
// rather than one giant switch).
type Command interface {
	// CommandType is the stable name written into the Raft log. Renaming a
	// type breaks replay of old logs, so treat it like a wire constant.
	CommandType() string
}

// ApplyFunc applies a decoded command. It must check every precondition
// before its first write: the FSM applies a batch of log entries in one
// bbolt transaction, so a command that fails half-way would leave its
// earlier writes behind. Returning an error leaves the state untouched and
// hands the error to the caller of Store.Apply.
type ApplyFunc[C Command] func(tx *bolt.Tx, cmd C) (any, error)

type registered struct {
	apply func(tx *bolt.Tx, data json.RawMessage) (any, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]registered{}
)

// Register makes a command type known to every store in the process. It is
// meant to be called from the init function of the package that owns the
// command, and panics on a duplicate name because that is a programming
// error that must not reach a cluster.
func Register[C Command](apply ApplyFunc[C]) {
	var zero C
	name := zero.CommandType()
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("store: command %q registered twice", name))
	}
	registry[name] = registered{apply: func(tx *bolt.Tx, data json.RawMessage) (any, error) {
		var cmd C
		if err := json.Unmarshal(data, &cmd); err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		return apply(tx, cmd)
	}}
}

// encodingV1 is the first byte of every log entry this version writes. A
// later encoding gets a new byte, and the decoder keeps reading the old one.
const encodingV1 byte = 1

type envelope struct {
	Type string          `json:"t"`
	Data json.RawMessage `json:"d"`
}

func encodeCommand(cmd Command) ([]byte, error) {
	// Marshal through a pointer so that pointer-receiver MarshalJSON
	// methods of embedded types (the generated Mesos types have them) run.
	ptr := reflect.New(reflect.TypeOf(cmd))
	ptr.Elem().Set(reflect.ValueOf(cmd))
	data, err := json.Marshal(ptr.Interface())
	if err != nil {
		return nil, err
	}
	return encodeEnvelope(cmd.CommandType(), data), nil
}

// encodeEnvelope is the encoding byte and json.Marshal(envelope{typ,
// data}), built by hand: data is already what json.Marshal returns
// (compact, HTML-escaped), and json.Marshal would validate and copy it
// once more through json.RawMessage, which cost a tenth of the node's CPU
// when 1 000 tasks started.
func encodeEnvelope(typ string, data []byte) []byte {
	name, _ := json.Marshal(typ) // a string always encodes
	buf := make([]byte, 0, len(`.{"t":,"d":}`)+len(name)+len(data))
	buf = append(buf, encodingV1)
	buf = append(buf, `{"t":`...)
	buf = append(buf, name...)
	buf = append(buf, `,"d":`...)
	buf = append(buf, data...)
	return append(buf, '}')
}

// ErrUnknownCommand is returned for a log entry whose type no package
// registered, such as an entry written by a newer mesosbox.
var ErrUnknownCommand = errors.New("unknown command type")

func applyEncoded(tx *bolt.Tx, raw []byte) (any, error) {
	if len(raw) == 0 || raw[0] != encodingV1 {
		return nil, fmt.Errorf("store: unsupported command encoding")
	}
	return applyEnvelope(tx, raw[1:])
}

// applyEnvelope applies an envelope (a command without its encoding byte).
func applyEnvelope(tx *bolt.Tx, body []byte) (any, error) {
	env, ok := cutEnvelope(body)
	if !ok {
		if err := json.Unmarshal(body, &env); err != nil {
			return nil, fmt.Errorf("store: decode command: %w", err)
		}
	}
	registryMu.RLock()
	reg, ok := registry[env.Type]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store: %w %q", ErrUnknownCommand, env.Type)
	}
	return reg.apply(tx, env.Data)
}

// cutEnvelope splits an envelope of the exact form encodeEnvelope writes
// for a type name without escapes, without scanning the command's data
// (its decoder validates it); ok is false for any other form, which goes
// through json.Unmarshal. (An envelope with fields after "d", which no
// version writes, would not decode: a later encoding gets a new byte.)
func cutEnvelope(body []byte) (env envelope, ok bool) {
	rest, ok := bytes.CutPrefix(body, []byte(`{"t":"`))
	if !ok {
		return env, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
		return env, false
	}
	name := rest[:end]
	data, ok := bytes.CutPrefix(rest[end+1:], []byte(`,"d":`))
	if !ok || len(data) < 2 || data[len(data)-1] != '}' {
		return env, false
	}
	return envelope{Type: string(name), Data: data[:len(data)-1]}, true
}
