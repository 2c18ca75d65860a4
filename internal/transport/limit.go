package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxResponseSize is the most a provider's answer may hold: a hostile or
// broken server cannot make a client read more.
const MaxResponseSize = 1 << 20

// ErrTooLarge is returned by [ReadLimited] for a body over its limit.
var ErrTooLarge = errors.New("response body too large")

// ReadLimited reads all of r if it holds at most limit bytes, else fails with
// [ErrTooLarge] having read limit+1 bytes.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// Drain reads what is left of a body its reader is done with, up to a
// bound, and closes it, so its connection can go back to the pool: an
// answer not returned to the caller (a retried try, a refused request sent
// again, a redirect followed).
func Drain(body io.ReadCloser) {
	if body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(body, drainLimit))
	_ = body.Close()
}

// drainLimit bounds what Drain reads: past this, closing the connection is
// cheaper than reading on.
const drainLimit = 64 << 10

// PutBack returns a body that gives read and then the rest, and whose Close
// closes rest: what a peek at an answer puts back, so its reader sees the
// whole answer.
func PutBack(read []byte, rest io.ReadCloser) io.ReadCloser {
	return putBack{Reader: io.MultiReader(bytes.NewReader(read), rest), Closer: rest}
}

type putBack struct {
	io.Reader
	io.Closer
}
