package ipcortex

import (
	"bytes"
	"io"
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// Refused reports whether resp, an answer from the PBX's API, says the
// session or key is no longer accepted: HTTP 401 or 403, or a successful
// status whose JSON body has "result":"fail", which is how IPCortex refuses
// a call it cannot authenticate. Other statuses are left to the caller:
// a 400 or 500 with "fail" is a failed call, not a lost session.
//
// To look at the body it reads at most 1 MiB, into one buffer sized by its
// Content-Length, and only when the body starts with '{'; it then puts back
// an equivalent body (the bytes read, then the rest, closing the original
// on Close), so the caller still reads it all.
func (a *Authenticator) Refused(resp *http.Response) bool {
	switch {
	case resp == nil:
		return false
	case auth.RefusedStatus(resp.StatusCode):
		return true
	case resp.StatusCode < 200 || resp.StatusCode > 299 || resp.Body == nil || resp.Body == http.NoBody:
		return false
	}
	read, shape, whole, _ := readJSON(resp.Body, resp.ContentLength, 0)
	// A read error stays for the caller: it comes again after the bytes read.
	resp.Body = putBack(read, whole, resp.Body)
	if shape != object {
		return false
	}
	if refused, sure := refusedAnswerFast(read); sure {
		return refused
	}
	return refusedAnswer(read)
}

// putBack returns the body Refused leaves for the caller: read, then what
// rest holds after it, and whose Close closes rest. A body read whole is
// given back from memory, at the cost of one small allocation; the rest of
// one that is not comes after it through transport.PutBack.
func putBack(read []byte, whole bool, rest io.ReadCloser) io.ReadCloser {
	if !whole {
		return transport.PutBack(read, rest)
	}
	b := &answerBody{original: rest}
	b.Reset(read)
	return b
}

// answerBody is an answer read whole, given back from memory. Its Close
// closes the original body, which has nothing more to give.
type answerBody struct {
	bytes.Reader
	original io.Closer
}

func (b *answerBody) Close() error { return b.original.Close() }
