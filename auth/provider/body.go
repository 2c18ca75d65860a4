package provider

import (
	"io"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// MaxResponseSize is the most a vendor's answer may hold (1 MiB): a hostile
// or broken server cannot make a client read more. [Caller.Do] fails a
// larger answer with auth.ErrProtocol; a Refused method reads no more.
const MaxResponseSize = transport.MaxResponseSize

// ErrTooLarge is returned by [ReadLimited] for a body over its limit.
var ErrTooLarge = transport.ErrTooLarge

// ReadLimited reads all of r if it holds at most limit bytes, else fails
// with an error holding [ErrTooLarge], having read limit+1 bytes.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	return transport.ReadLimited(r, limit)
}

// PutBack returns a body that gives read and then the rest, and whose Close
// closes rest: what a Refused method that peeked at an answer puts back in
// resp.Body, so the application still reads the whole answer.
func PutBack(read []byte, rest io.ReadCloser) io.ReadCloser {
	return transport.PutBack(read, rest)
}
