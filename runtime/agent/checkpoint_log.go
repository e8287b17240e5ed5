package agent

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// Task checkpoints live in one append-only file, meta/tasks.log: a flush
// appends one line per changed task and syncs the file once. A file per
// task (as before, meta/tasks/<key>.json) cost a create, a write, an
// fsync, a close and a rename per task and update: scaling an app to 1 000
// tasks spent a fifth of the node's CPU creating files.
//
// A line is "<crc> <key> <payload>\n": crc is the CRC-32C of "<key>
// <payload>" in 8 hex digits, key names the task (checkpointKey),
// payload is the task's JSON record, or "-" when the task was removed.
// The latest line of a key wins. A line that fails its CRC (a write torn by
// a crash) is skipped; every other line still counts.
//
// The file is rewritten with only the latest record of each live task
// when the agent starts (which also drops a torn tail, and moves in the
// per-task files of earlier versions) and whenever it grows past twice its
// live content (compactSlack more for small logs).

const (
	taskLogName  = "tasks.log"
	removedEntry = "-"
	// compactSlack is how much a log may exceed twice its live content
	// before it is rewritten: small logs are not rewritten over and over.
	compactSlack = 4 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// taskLog is the open checkpoint log; it is used under the batch's flushMu.
type taskLog struct {
	path string
	f    *os.File
	size int64 // bytes in the file, all of them whole lines
	// live is where each live task's latest line is, so that a compaction
	// copies those lines without reading the rest of the log.
	live map[string]lineRef
	// liveBytes sums the live lines: the size of the log once compacted.
	liveBytes int64
}

// lineRef is where a line is in the log.
type lineRef struct{ off, n int64 }

// appendLine adds the line of key to buf.
func appendLine(buf []byte, key string, payload []byte) []byte {
	body := len(buf) + 9
	buf = append(buf, "00000000 "...)
	buf = append(buf, key...)
	buf = append(buf, ' ')
	if payload == nil {
		buf = append(buf, removedEntry...)
	} else {
		buf = append(buf, payload...)
	}
	crc := crc32.Checksum(buf[body:], crcTable)
	hex.Encode(buf[body-9:body-1], []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	return append(buf, '\n')
}

// linesSize is the size of the lines of records.
func linesSize(records map[string][]byte) int {
	n := 0
	for k, v := range records {
		n += 9 + len(k) + 1 + max(len(v), len(removedEntry)) + 1
	}
	return n
}

// parseLine is appendLine's inverse for a line without its newline; ok is
// false for a damaged line. A nil payload is a removal.
func parseLine(line []byte) (key string, payload []byte, ok bool) {
	if len(line) < 9 || line[8] != ' ' {
		return "", nil, false
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], line[:8]); err != nil {
		return "", nil, false
	}
	body := line[9:]
	if crc32.Checksum(body, crcTable) != uint32(sum[0])<<24|uint32(sum[1])<<16|uint32(sum[2])<<8|uint32(sum[3]) {
		return "", nil, false
	}
	k, p, found := bytes.Cut(body, []byte{' '})
	if !found || len(k) == 0 {
		return "", nil, false
	}
	if string(p) == removedEntry {
		return string(k), nil, true
	}
	return string(k), p, true
}

// readTaskLog replays the log at path into the latest payload of each live
// key. damaged counts the lines skipped; tornTail says whether one of them
// is a last line without its newline, the mark of a crash during an
// append rather than of damage. A missing file is an empty log.
func readTaskLog(path string) (latest map[string][]byte, damaged int, tornTail bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]byte{}, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	latest = map[string][]byte{}
	for len(data) > 0 {
		line, rest, whole := bytes.Cut(data, []byte{'\n'})
		data = rest
		key, payload, ok := parseLine(line)
		switch {
		case !ok:
			damaged++
			tornTail = !whole
		case payload == nil:
			delete(latest, key)
		default:
			latest[key] = payload
		}
	}
	return latest, damaged, tornTail, nil
}

// writeTaskLog replaces the log at path with the given records, durably,
// and returns it open for appending.
func writeTaskLog(path string, records map[string][]byte) (*taskLog, error) {
	keys := make([]string, 0, len(records))
	for k := range records {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	l := &taskLog{path: path, live: make(map[string]lineRef, len(records))}
	buf := make([]byte, 0, linesSize(records))
	for _, k := range keys {
		n := len(buf)
		buf = appendLine(buf, k, records[k])
		l.live[k] = lineRef{off: int64(n), n: int64(len(buf) - n)}
		l.liveBytes += int64(len(buf) - n)
	}
	f, err := replaceFile(path, func(w io.Writer) error {
		_, err := w.Write(buf)
		return err
	})
	if err != nil {
		return nil, err
	}
	l.f, l.size = f, int64(len(buf))
	return l, nil
}

// replaceFile writes a new file for path with fill, syncs it, renames it
// over path and syncs the directory. The new file is opened (for
// appending) before the rename, so the descriptor returned is the file at
// path; on an error the old file is still there and whole.
func replaceFile(path string, fill func(w io.Writer) error) (*os.File, error) {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return f, nil
}

// append writes the batch (a nil value removes its key) as lines and
// syncs them. On an error the file is cut back to its previous size, so
// that a partial line cannot swallow the next one.
func (l *taskLog) append(batch map[string][]byte) error {
	buf := make([]byte, 0, linesSize(batch))
	lines := make(map[string]lineRef, len(batch))
	for k, v := range batch {
		n := len(buf)
		buf = appendLine(buf, k, v)
		if v != nil {
			lines[k] = lineRef{off: l.size + int64(n), n: int64(len(buf) - n)}
		}
	}
	_, err := l.f.Write(buf)
	if err == nil {
		// fdatasync: the appended data and the file's new size, no more.
		err = ignoringEINTR(func() error { return unix.Fdatasync(int(l.f.Fd())) })
	}
	if err != nil {
		if terr := l.f.Truncate(l.size); terr != nil {
			err = errors.Join(err, fmt.Errorf("cut back %s: %w", l.path, terr))
		}
		return err
	}
	l.size += int64(len(buf))
	for k := range batch {
		l.liveBytes -= l.live[k].n
		if line, ok := lines[k]; ok {
			l.live[k] = line
			l.liveBytes += line.n
		} else {
			delete(l.live, k)
		}
	}
	return nil
}

// needsCompaction reports whether the log has grown past twice its live
// content (plus compactSlack).
func (l *taskLog) needsCompaction() bool { return l.size > 2*l.liveBytes+compactSlack }

// compact rewrites the log with the latest line of each live task, copied
// from the log in the order they were written, a line at a time.
func (l *taskLog) compact() (*taskLog, error) {
	src, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	keys := make([]string, 0, len(l.live))
	for k := range l.live {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(l.live[a].off, l.live[b].off) })
	nl := &taskLog{path: l.path, live: make(map[string]lineRef, len(l.live)), liveBytes: l.liveBytes}
	f, err := replaceFile(l.path, func(w io.Writer) error {
		var line []byte
		for _, k := range keys {
			ref := l.live[k]
			line = slices.Grow(line[:0], int(ref.n))[:ref.n]
			if _, err := src.ReadAt(line, ref.off); err != nil {
				return err
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
			nl.live[k] = lineRef{off: nl.size, n: ref.n}
			nl.size += ref.n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	nl.f = f
	l.f.Close()
	return nl, nil
}

func (l *taskLog) close() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}

// openTaskLog reads the checkpoints in dir (meta/): the log, and the
// per-task files of earlier versions under tasks/, which the log
// supersedes. It rewrites the log with what it read, then removes the old
// files it moved in. The unreadable files are reported in bad and left in
// place for a human to look at; so is a log with damaged lines other than
// a torn last line, copied to tasks.log.damaged.
func openTaskLog(dir string) (l *taskLog, records map[string][]byte, bad []error, err error) {
	path := filepath.Join(dir, taskLogName)
	old, bad, err := readTaskFiles(filepath.Join(dir, "tasks"))
	if err != nil {
		return nil, nil, nil, err
	}
	latest, damaged, tornTail, err := readTaskLog(path)
	if err != nil {
		return nil, nil, nil, err
	}
	if tornTail {
		damaged--
	}
	if damaged > 0 {
		bad = append(bad, fmt.Errorf("%s: %d damaged lines skipped (the log is kept as %s.damaged)", path, damaged, taskLogName))
		if cerr := copyFile(path, path+".damaged"); cerr != nil {
			bad = append(bad, cerr)
		}
	}
	records = make(map[string][]byte, len(old)+len(latest))
	for k, v := range old {
		records[k] = v
	}
	for k, v := range latest {
		records[k] = v
	}
	l, err = writeTaskLog(path, records)
	if err != nil {
		return nil, nil, nil, err
	}
	for k := range old {
		if rerr := os.Remove(filepath.Join(dir, "tasks", k+".json")); rerr != nil {
			bad = append(bad, rerr)
		}
	}
	return l, records, bad, nil
}

// readTaskFiles reads the per-task checkpoint files of earlier versions,
// by key; a missing directory holds none.
func readTaskFiles(dir string) (map[string][]byte, []error, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{}
	var bad []error
	for _, e := range entries {
		key, isJSON := strings.CutSuffix(e.Name(), ".json")
		if e.IsDir() || !isJSON {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		if !json.Valid(b) {
			bad = append(bad, fmt.Errorf("%s: not JSON", path))
			continue
		}
		files[key] = b
	}
	return files, bad, nil
}

func ignoringEINTR(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
