package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func openTestLog(t *testing.T, dir string) (*taskLog, map[string][]byte, []error) {
	t.Helper()
	l, records, bad, err := openTaskLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.close)
	return l, records, bad
}

func TestTaskLogKeepsTheLatestRecordOfEachTask(t *testing.T) {
	dir := t.TempDir()
	l, records, bad := openTestLog(t, dir)
	if len(records) != 0 || len(bad) != 0 {
		t.Fatalf("new log: %v %v", records, bad)
	}
	for _, batch := range []map[string][]byte{
		{"a": []byte(`{"n":1}`), "b": []byte(`{"n":1}`), "c": []byte(`{"n":1}`)},
		{"a": []byte(`{"n":2}`), "b": nil},
		{"c": nil},
		{"c": []byte(`{"n":3}`)},
	} {
		if err := l.append(batch); err != nil {
			t.Fatal(err)
		}
	}
	_, records, bad = openTestLog(t, dir)
	if len(bad) != 0 || len(records) != 2 || string(records["a"]) != `{"n":2}` || string(records["c"]) != `{"n":3}` {
		t.Fatalf("reopened: %q, bad %v", records, bad)
	}
}

func TestTaskLogSkipsATornTailAndKeepsDamageForAHuman(t *testing.T) {
	dir := t.TempDir()
	l, _, _ := openTestLog(t, dir)
	if err := l.append(map[string][]byte{"a": []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := l.append(map[string][]byte{"b": []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, taskLogName)
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of an append: the last line lacks its end.
	torn := appendLine(nil, "c", []byte(`{"n":1}`))
	if err := os.WriteFile(path, append(append([]byte{}, whole...), torn[:len(torn)-4]...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, records, bad := openTestLog(t, dir)
	if len(bad) != 0 || len(records) != 2 || records["c"] != nil {
		t.Fatalf("torn tail: %q, bad %v", records, bad)
	}
	if _, err := os.Stat(path + ".damaged"); !os.IsNotExist(err) {
		t.Fatalf("a torn tail was kept as damaged: %v", err)
	}

	// A flipped byte in the first line: that line is skipped, the others
	// count, and the damaged log is kept.
	whole, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damaged := strings.Replace(string(whole), `{"n":1}`, `{"n":7}`, 1)
	if err := os.WriteFile(path, []byte(damaged), 0o600); err != nil {
		t.Fatal(err)
	}
	_, records, bad = openTestLog(t, dir)
	if len(bad) != 1 || len(records) != 1 || string(records["b"]) != `{"n":1}` {
		t.Fatalf("damaged line: %q, bad %v", records, bad)
	}
	if kept, err := os.ReadFile(path + ".damaged"); err != nil || string(kept) != damaged {
		t.Fatalf("damaged log not kept: %v", err)
	}
}

func TestTaskLogCompactsWhenMostOfItIsStale(t *testing.T) {
	dir := t.TempDir()
	l, _, _ := openTestLog(t, dir)
	record := []byte(`{"pad":"` + strings.Repeat("x", 4096) + `"}`)
	for i := 0; !l.needsCompaction(); i++ {
		if i > 10_000 {
			t.Fatal("the log never asked for a compaction")
		}
		if err := l.append(map[string][]byte{"a": record, "b": record}); err != nil {
			t.Fatal(err)
		}
	}
	nl, err := l.compact()
	if err != nil {
		t.Fatal(err)
	}
	defer nl.close()
	fi, err := os.Stat(filepath.Join(dir, taskLogName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != nl.size || nl.size != nl.liveBytes || nl.needsCompaction() {
		t.Fatalf("compacted log: %d bytes on disk, size %d, live %d", fi.Size(), nl.size, nl.liveBytes)
	}
	// The compacted log is the one appended to, and knows where its lines
	// are for the next compaction.
	if err := nl.append(map[string][]byte{"a": nil, "c": []byte(`{"n":3}`)}); err != nil {
		t.Fatal(err)
	}
	if err := nl.append(map[string][]byte{"d": []byte(`{"n":4}`), "c": []byte(`{"n":5}`)}); err != nil {
		t.Fatal(err)
	}
	again, err := nl.compact()
	if err != nil {
		t.Fatal(err)
	}
	defer again.close()
	_, records, bad := openTestLog(t, dir)
	if len(bad) != 0 || len(records) != 3 || string(records["b"]) != string(record) || string(records["c"]) != `{"n":5}` || string(records["d"]) != `{"n":4}` {
		t.Fatalf("after compaction: %q, bad %v", records, bad)
	}
}

func TestTaskLogMovesInTheFilesOfEarlierVersions(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "tasks")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"a.json": `{"n":1}`, "b.json": `{"n":1}`, "broken.json": `{"n":`} {
		if err := os.WriteFile(filepath.Join(old, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, records, bad := openTestLog(t, dir)
	if len(bad) != 1 || len(records) != 2 || string(records["a"]) != `{"n":1}` {
		t.Fatalf("migrated: %q, bad %v", records, bad)
	}
	if err := l.append(map[string][]byte{"a": nil}); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(old)
	if err != nil || len(left) != 1 || left[0].Name() != "broken.json" {
		t.Fatalf("old files left: %v %v", left, err)
	}
	// The removal in the log holds: the old file of a is gone for good.
	_, records, _ = openTestLog(t, dir)
	if len(records) != 1 || records["b"] == nil {
		t.Fatalf("after restart: %q", records)
	}
}
