package provider

import (
	"bytes"
	"io"
	"net/http"

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

// PutBack returns the body a Refused method that read the start of an
// answer puts back in resp.Body, so the application still reads the whole
// answer: read, then what rest holds after it; its Close closes rest. When
// whole reports that rest is at its end, the body is given back from
// memory, a standard reader at the cost of one small allocation.
func PutBack(read []byte, rest io.ReadCloser, whole bool) io.ReadCloser {
	if !whole {
		return transport.PutBack(read, rest)
	}
	b := &answer{original: rest}
	b.Reset(read)
	return b
}

// answer is an answer read whole, given back from memory. Its Close closes
// the original body, which has nothing more to give.
type answer struct {
	bytes.Reader
	original io.Closer
}

func (b *answer) Close() error { return b.original.Close() }

// OwnHeader gives req, auth.NewClient's shallow copy of the caller's
// request, a header of its own to change, and returns it: a new map
// holding the same entries. The value slices are shared with the caller's
// header, so change an entry with Set, Add, Del or a new slice, never by
// writing into a slice it holds. room is how many entries the caller will
// add.
func OwnHeader(req *http.Request, room int) http.Header {
	h := make(http.Header, len(req.Header)+room)
	for k, v := range req.Header {
		h[k] = v
	}
	req.Header = h
	return h
}
