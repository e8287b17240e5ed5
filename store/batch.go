package store

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxBatch bounds the commands of one batch entry, so that one entry stays
// a few megabytes at most; ApplyBatch splits longer lists.
const maxBatch = 512

// batchCmd is several commands in one Raft log entry: they are replicated
// with one round-trip and one fsync, and applied in order in the state
// machine's transaction. Each entry is an encoded command without its
// encoding byte.
type batchCmd struct {
	Entries []json.RawMessage `json:"e"`
}

func (batchCmd) CommandType() string { return "store.batch" }

func init() {
	Register(func(tx *bolt.Tx, b batchCmd) (any, error) {
		out := make([]any, len(b.Entries))
		for i, e := range b.Entries {
			// Each command checks its preconditions before writing (see
			// ApplyFunc), so one that fails leaves nothing behind and the
			// others of the batch still apply.
			res, err := applyEnvelope(tx, e)
			if err != nil {
				out[i] = err
				continue
			}
			out[i] = res
		}
		return out, nil
	})
}

// ApplyBatch replicates cmds in as few log entries as possible (maxBatch
// commands each), applied in the given order. The result holds, for each
// command, what its ApplyFunc returned, or its error. The error is for the
// batch as a whole (not the leader, encoding, timeout): then none of the
// commands of the failed entry, nor of the entries after it, is applied.
func (s *Store) ApplyBatch(ctx context.Context, cmds []Command) ([]any, error) {
	out := make([]any, 0, len(cmds))
	for len(cmds) > 0 {
		n := min(len(cmds), maxBatch)
		data := []byte(`{"e":[`)
		for i, c := range cmds[:n] {
			enc, err := encodeCommand(c)
			if err != nil {
				return out, fmt.Errorf("store: encode %s: %w", c.CommandType(), err)
			}
			if i > 0 {
				data = append(data, ',')
			}
			data = append(data, enc[1:]...)
		}
		// What encodeCommand(batchCmd{Entries}) writes, without
		// validating and copying every entry twice more.
		data = append(data, "]}"...)
		res, err := s.replicate(ctx, batchCmd{}.CommandType(), encodeEnvelope(batchCmd{}.CommandType(), data))
		if err != nil {
			return out, err
		}
		out = append(out, res.([]any)...)
		cmds = cmds[n:]
	}
	return out, nil
}
