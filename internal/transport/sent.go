package transport

import (
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// sentTracker tells whether a try got as far as a connection, the point
// after which request bytes may have reached the server. A failure before
// it (DNS, dial, a TLS handshake cut short) provably sent nothing, so even a
// request that is not safe to repeat may be tried again.
//
// It is attached only to requests that are not safe to repeat: for the
// others it does not matter where a failure happened, and tracing costs a
// request copy. A caller's own httptrace.ClientTrace in the context still
// gets its events: WithClientTrace composes them.
type sentTracker struct {
	conn  atomic.Bool
	trace httptrace.ClientTrace
}

// track returns req with a trace that records into a new tracker.
func track(req *http.Request) (*http.Request, *sentTracker) {
	s := new(sentTracker)
	s.trace.GotConn = s.gotConn
	return req.WithContext(httptrace.WithClientTrace(req.Context(), &s.trace)), s
}

func (s *sentTracker) gotConn(httptrace.GotConnInfo) { s.conn.Store(true) }

// reset readies the tracker for the next try.
func (s *sentTracker) reset() {
	if s != nil {
		s.conn.Store(false)
	}
}

// maybeSent reports whether the last try may have written to the server.
// Without a tracker nothing is known, so the answer is yes.
func (s *sentTracker) maybeSent() bool { return s == nil || s.conn.Load() }
