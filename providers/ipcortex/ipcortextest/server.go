package ipcortextest

import (
	"crypto/x509"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

// CookieName is the name of the IPCortex session cookie.
const CookieName = "Red60urne"

// firstAutoID is the first user id AddUser hands out when a User has none.
const firstAutoID = 1000

// User is an account on the fake PBX. Its fields are the ones the login
// answer's "user" object carries.
type User struct {
	ID       int    // "id"; AddUser assigns one when it is 0
	Login    string // "login", the name the user signs in with
	Password string // checked on password logins, never sent back; "" allows no password login
	Name     string // "name", the user's real name
	Company  string // "company"
	Home     string // "home", the user's home company
	// Perms maps permission names to their scope ("company" or "yes").
	Perms map[string]string
}

// Server is a fake IPCortex PBX, listening on a loopback address. All its
// methods are safe for concurrent use, and each takes effect for the next
// request the server receives.
type Server struct {
	// URL is the PBX base URL, of the form http://ipaddr:port (or https://
	// for NewTLSServer), with no trailing slash.
	URL string

	// Faults injects failures, delays and hostile answers in front of the
	// protocol, and counts requests: FailNext, FailNextRetryAfter,
	// DropNext, MalformedNext, SetDelay, ClearFaults, Requests and the rest
	// of the kit every fake server shares.
	authtest.Faults

	ts *httptest.Server

	mu       sync.Mutex
	users    map[string]User   // login -> user
	keys     map[string]string // API key -> owner's login
	sessions map[string]string // session value -> login
	nextID   int

	logins, logouts int
	paths           map[string]int // normalized path -> requests

	reject bool
	deny   bool // DenyCalls
}

// NewServer starts and returns a new plain-HTTP Server on a loopback address.
// The caller should call Close when finished, to shut it down.
func NewServer() *Server {
	s := newServer()
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	return s
}

// NewTLSServer starts and returns a new Server using TLS, with a certificate
// that the client from Client trusts. Its session cookies are marked Secure.
// The caller should call Close when finished, to shut it down.
func NewTLSServer() *Server {
	s := newServer()
	s.ts = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL
	return s
}

func newServer() *Server {
	return &Server{
		users:    make(map[string]User),
		keys:     make(map[string]string),
		sessions: make(map[string]string),
		paths:    make(map[string]int),
		nextID:   firstAutoID,
	}
}

// Close shuts down the server and blocks until all outstanding requests on
// it have completed. Answers waiting out a SetDelay end at once.
func (s *Server) Close() {
	// Delayed handlers must stop waiting first: httptest.Server.Close waits
	// for every active request, and a long delay would hold it.
	s.CloseFaults()
	s.ts.Close()
}

// Client returns an HTTP client configured for requests to the server: for
// a TLS server it trusts the server's certificate. It has no cookie jar;
// give it one (net/http/cookiejar) to carry the session cookie.
func (s *Server) Client() *http.Client {
	return s.ts.Client()
}

// Certificate returns the certificate used by a TLS server, or nil if the
// server does not use TLS.
func (s *Server) Certificate() *x509.Certificate {
	return s.ts.Certificate()
}

// AddUser adds u as an account that can log in, replacing any user with the
// same Login. If u.ID is 0 the server assigns a number of its own. AddUser
// panics if u.Login is empty.
func (s *Server) AddUser(u User) {
	if u.Login == "" {
		panic("ipcortextest: AddUser with an empty Login")
	}
	// Copy the map so later changes by the caller do not race with requests.
	u.Perms = maps.Clone(u.Perms)
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		u.ID = s.nextID
		s.nextID++
	}
	s.users[u.Login] = u
}

// AddAPIKey adds key as an "Auth Key" token owned by the user whose Login is
// login. The user may be added before or after the key; while no such user
// exists, the key is refused. AddAPIKey panics if key is empty.
func (s *Server) AddAPIKey(key, login string) {
	if key == "" {
		panic("ipcortextest: AddAPIKey with an empty key")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[key] = login
}

// Logins reports the number of requests to /rest/auth/ (password logins and
// API-key checks), faulted ones included.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Logouts reports the number of requests to /rest/auth/logout, faulted ones
// included.
func (s *Server) Logouts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logouts
}

// Calls reports the number of requests received for the vendor call at
// path, faulted ones included. A trailing slash does not matter:
// "/rest/auth" and "/rest/auth/" count together.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paths[normalize(path)]
}

// ActiveSessions reports the number of sessions the server holds open.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// String describes the server by its URL only, so that printing it with
// fmt never shows its users' passwords, API keys or sessions.
func (s *Server) String() string {
	return fmt.Sprintf("ipcortextest.Server(%s)", s.URL)
}

// GoString returns the same as String, so that %#v hides the secrets too.
func (s *Server) GoString() string {
	return s.String()
}

// normalize drops trailing slashes, so that a path is counted and routed the
// same with or without one. The root stays "/".
func normalize(path string) string {
	p := strings.TrimRight(path, "/")
	if p == "" {
		return "/"
	}
	return p
}
