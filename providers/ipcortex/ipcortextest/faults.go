package ipcortextest

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pbxauth/pbxauth/internal/fakeserver"
)

// OversizeBodyLen is the length in bytes of the body OversizeNext sends:
// 1 MiB and 64 KiB, past the 1 MiB a careful client reads.
const OversizeBodyLen = fakeserver.OversizeBytes

// jsonType is the Content-Type of every injected body: a client must judge
// an answer by what it holds, not by its label.
const jsonType = "application/json"

// garbageBody is what GarbageNext sends: the kind of HTML error page a proxy
// in front of the PBX answers with, labelled as JSON all the same. A byte
// slice built once, since every injected answer shares it.
var garbageBody = []byte("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
	"<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>\n")

// oversizeBody is built once, on first use: {"result":"success","padding":
// "xxx…"} padded out to OversizeBodyLen. It is valid JSON, so its size is
// the only thing wrong with it.
var oversizeBody = sync.OnceValue(func() []byte {
	const head, tail = `{"result":"success","padding":"`, `"}`
	b := make([]byte, 0, OversizeBodyLen)
	b = append(b, head...)
	b = append(b, strings.Repeat("x", OversizeBodyLen-len(head)-len(tail))...)
	return append(b, tail...)
})

// FailNext makes the next n requests answer HTTP status with an empty body,
// after the answers injected before; n <= 0 does nothing. FailNext panics
// if status is not a final HTTP status (200 to 999).
func (s *Server) FailNext(n, status int) {
	// Checked here rather than when the answer is written, so the mistake
	// shows in the test that made it, not as a handler panic.
	if status < 200 || status > 999 {
		panic(fmt.Sprintf("ipcortextest: FailNext with invalid status %d", status))
	}
	s.faults.FailNext(n, status)
}

// SetDelay makes every answer wait d before it is sent; 0 stops it. The wait
// ends early, with no answer, when the request's context ends or the server
// is closed.
func (s *Server) SetDelay(d time.Duration) {
	s.faults.SetDelay(d)
}

// ForgetSessions makes every session issued so far unknown, as if each had
// expired at the PBX. Users and API keys stay.
func (s *Server) ForgetSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// GarbageNext makes the next n requests answer HTTP 200 with Content-Type
// application/json and a body that is not JSON (an HTML error page), after
// the answers injected before; n <= 0 does nothing.
func (s *Server) GarbageNext(n int) {
	s.faults.BodyNext(n, jsonType, garbageBody)
}

// OversizeNext makes the next n requests answer HTTP 200 with Content-Type
// application/json and a well-formed JSON object OversizeBodyLen bytes long,
// after the answers injected before; n <= 0 does nothing.
func (s *Server) OversizeNext(n int) {
	if n <= 0 {
		return // do not build the body for nothing
	}
	s.faults.BodyNext(n, jsonType, oversizeBody())
}

// ClearFaults drops every injected answer not yet given and the delay set
// by SetDelay, so a test can return the server to health at once. (Asking
// for an answer with n <= 0 no longer cancels one: answers queue.)
func (s *Server) ClearFaults() {
	s.faults.Clear()
}

// RejectCredentials makes every password login and every API-key check be
// refused the vendor's way while reject is true: HTTP 200 with
// {"result":"fail"} on /rest/auth/, and the "authentication required"
// refusal for a key on the rest of the API. Sessions already issued stay
// valid.
func (s *Server) RejectCredentials(reject bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = reject
}
