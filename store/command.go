package store

import (
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
	body, err := json.Marshal(envelope{Type: cmd.CommandType(), Data: data})
	if err != nil {
		return nil, err
	}
	return append([]byte{encodingV1}, body...), nil
}

// ErrUnknownCommand is returned for a log entry whose type no package
// registered, such as an entry written by a newer mesosbox.
var ErrUnknownCommand = errors.New("unknown command type")

func applyEncoded(tx *bolt.Tx, raw []byte) (any, error) {
	if len(raw) == 0 || raw[0] != encodingV1 {
		return nil, fmt.Errorf("store: unsupported command encoding")
	}
	var env envelope
	if err := json.Unmarshal(raw[1:], &env); err != nil {
		return nil, fmt.Errorf("store: decode command: %w", err)
	}
	registryMu.RLock()
	reg, ok := registry[env.Type]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("store: %w %q", ErrUnknownCommand, env.Type)
	}
	return reg.apply(tx, env.Data)
}
