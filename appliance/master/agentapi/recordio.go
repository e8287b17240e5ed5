package agentapi

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxSizeDigits is the textual length of the largest uint64.
const maxSizeDigits = 20

// ErrBadFrame is a RecordIO stream that does not follow the framing.
var ErrBadFrame = errors.New("recordio: malformed frame")

// FrameReader reads a RecordIO stream ("<length>\n<length bytes>"...), as
// the master sends the agent its events. It is used instead of mesos-go's
// reader, which panics on a length above MaxInt64 (the length wraps to a
// negative int and slips past its size check): one corrupt or hostile
// stream would take the whole node down.
type FrameReader struct {
	r   *bufio.Reader
	max uint64
}

// NewFrameReader reads frames of at most max bytes from r.
func NewFrameReader(r io.Reader, max int) *FrameReader {
	return &FrameReader{r: bufio.NewReaderSize(r, 4096), max: uint64(max)}
}

// ReadFrame returns the next non-empty frame (empty ones are keep-alives,
// skipped as mesos-go does). It returns io.EOF at a clean end of the
// stream, io.ErrUnexpectedEOF for one cut inside a frame, and ErrBadFrame
// for a length that is not a number or is over the limit.
func (f *FrameReader) ReadFrame() ([]byte, error) {
	for {
		size, err := f.readSize()
		if err != nil {
			return nil, err
		}
		if size == 0 {
			continue
		}
		buf := make([]byte, size)
		if _, err := io.ReadFull(f.r, buf); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return buf, nil
	}
}

// readSize reads one length line.
func (f *FrameReader) readSize() (uint64, error) {
	var line []byte
	for {
		b, err := f.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		if b == '\n' {
			break
		}
		if len(line) == maxSizeDigits { // as mesos-go: 20 characters at most
			return 0, fmt.Errorf("%w: frame length longer than %d characters", ErrBadFrame, maxSizeDigits)
		}
		line = append(line, b)
	}
	size, err := strconv.ParseUint(strings.TrimSpace(string(line)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: frame length %q", ErrBadFrame, line)
	}
	if size > f.max {
		return 0, fmt.Errorf("%w: frame of %d bytes over the %d-byte limit", ErrBadFrame, size, f.max)
	}
	return size, nil
}
