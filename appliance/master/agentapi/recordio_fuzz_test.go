package agentapi

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mesos/mesos-go/api/v1/lib/recordio"
)

// fuzzMax bounds one frame as the agent does for the master's stream.
const fuzzMax = 1 << 16

// mesosGoFrames reads stream with mesos-go's reader up to its first
// error; panicked is set when the reader panics instead.
func mesosGoFrames(stream []byte) (frames []string, panicked bool) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	r := recordio.NewReader(bytes.NewReader(stream), recordio.MaxMessageSize(fuzzMax))
	for {
		f, err := r.ReadFrame()
		if err != nil {
			return frames, false
		}
		frames = append(frames, string(f))
	}
}

// FuzzRecordIO: FrameReader never panics, never returns a frame over its
// limit, reads the same frames as mesos-go's reader wherever that one
// does not panic, and reads back exactly the non-empty frames mesos-go's
// writer (the master's) wrote.
func FuzzRecordIO(f *testing.F) {
	f.Add([]byte("5\nhello0\n3\nabc"), "x\x00y")
	f.Add([]byte("20\n{\"type\":\"HEARTBEAT\"}"), "")
	f.Add([]byte("99999999999999999999\nx"), "{}")
	f.Add([]byte("18446744073709551615\nabc"), "")
	f.Add([]byte("9223372036854775808\nabc"), "")
	f.Add([]byte("-1\n"), "a")
	f.Add([]byte("3"), "")
	f.Add([]byte(" 3\nabc00000000000000000003\nabc"), "\n")
	f.Fuzz(func(t *testing.T, stream []byte, frames string) {
		r := NewFrameReader(bytes.NewReader(stream), fuzzMax)
		var got []string
		for range len(stream) + 1 {
			frame, err := r.ReadFrame()
			if err != nil {
				break
			}
			if len(frame) == 0 || len(frame) > fuzzMax {
				t.Fatalf("frame of %d bytes (limit %d)", len(frame), fuzzMax)
			}
			got = append(got, string(frame))
		}
		if want, panicked := mesosGoFrames(stream); !panicked && strings.Join(want, "\x00") != strings.Join(got, "\x00") {
			t.Fatalf("frames %q, mesos-go reads %q", got, want)
		}

		var buf bytes.Buffer
		w := recordio.NewWriter(&buf)
		var want []string
		for _, fr := range strings.Split(frames, "\x00") {
			if err := w.WriteFrame([]byte(fr)); err != nil {
				t.Fatal(err)
			}
			if fr != "" {
				want = append(want, fr)
			}
		}
		r = NewFrameReader(&buf, fuzzMax)
		for i, fr := range want {
			if got, err := r.ReadFrame(); err != nil || string(got) != fr {
				t.Fatalf("frame %d = %q, %v; want %q", i, got, err, fr)
			}
		}
		if _, err := r.ReadFrame(); err == nil {
			t.Fatal("a frame after the last one written")
		}
	})
}
