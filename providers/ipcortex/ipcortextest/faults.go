package ipcortextest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

// jsonType is the Content-Type of every injected body: a client must judge
// an answer by what it holds, not by its label.
const jsonType = "application/json"

// garbageBody is what GarbageNext sends: the kind of HTML error page a proxy
// in front of the PBX answers with, labelled as JSON all the same. A byte
// slice built once, since every injected answer shares it.
var garbageBody = []byte("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
	"<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>\n")

// oversizeBody is built once, on first use: {"result":"success","padding":
// "xxx…"} padded out to authtest.OversizeBytes. It is valid JSON, so its size is
// the only thing wrong with it.
var oversizeBody = sync.OnceValue(func() []byte {
	const head, tail = `{"result":"success","padding":"`, `"}`
	b := make([]byte, 0, authtest.OversizeBytes)
	b = append(b, head...)
	b = append(b, strings.Repeat("x", authtest.OversizeBytes-len(head)-len(tail))...)
	return append(b, tail...)
})

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
	s.BodyNext(n, jsonType, garbageBody)
}

// OversizeNext makes the next n requests answer HTTP 200 with Content-Type
// application/json and a well-formed JSON object authtest.OversizeBytes bytes long,
// after the answers injected before; n <= 0 does nothing.
func (s *Server) OversizeNext(n int) {
	if n <= 0 {
		return // do not build the body for nothing
	}
	s.BodyNext(n, jsonType, oversizeBody())
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

// EchoNext makes the next n requests answer as a refused login whose
// message quotes the secret the request carried (its password, or its API
// key in the body or the header), passed through encode: a hostile or
// careless server echoing a secret (raw, escaped, encoded), which a client
// must not pass on.
func (s *Server) EchoNext(n int, encode func(secret string) string) {
	s.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := keyFromHeader(r.Header)
		var env envelope
		if body, err := io.ReadAll(r.Body); err == nil && json.Unmarshal(body, &env) == nil && env.Auth != nil {
			if env.Auth.Password != "" {
				secret = env.Auth.Password
			}
			if env.Auth.Key != "" {
				secret = env.Auth.Key
			}
		}
		writeJSON(w, http.StatusOK, answer{Result: "fail", Message: "bad credentials " + encode(secret)})
	}))
}

// DenyCalls makes the rest of the API refuse every call while deny is
// true, the way IPCortex refuses an action the user may not take: HTTP 200
// with {"result":"fail","message":"permission denied"}, though the session
// or key is valid. A client cannot tell that from a lost session; it must
// not log in over and over, nor leave sessions open doing so.
func (s *Server) DenyCalls(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = deny
}
