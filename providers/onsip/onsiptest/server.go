// Package onsiptest provides an in-process fake of the OnSIP XML API, for
// testing code that signs in to OnSIP, in the style of net/http/httptest.
//
// The fake answers the documented actions SessionCreate and SessionDestroy
// the way https://api.onsip.com/api does: form-encoded POST (or GET with a
// query string) to "/api", and an XML Response document in the namespace
// http://www.jnctn.net/ns/rest/2006-01 with HTTP 200 whether the request
// succeeded or was refused; a call that carries Output=json gets the same
// tree in JSON instead. Any other action name stands for the rest of the
// vendor's API: it succeeds with an empty result when the request carries a
// live SessionId and is refused the vendor's way when it does not.
//
// A Server counts what it receives and can inject faults (failed statuses,
// slow answers, forgotten sessions, <Exception> documents, garbage and
// oversized bodies), so a client's error handling can be tested too.
// Injected answers are given in the order they were asked for, each to as
// many requests as asked, and a request that gets one is still counted. All
// methods are safe for concurrent use.
package onsiptest

import (
	"crypto/rand"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

// DefaultRole is the role a User without roles gets.
const DefaultRole = "Account Admin"

// firstUserID is where user IDs start: six digits, like OnSIP's.
const firstUserID = 100001

// A Server is a fake OnSIP API listening on a loopback address. Create one
// with NewServer or NewTLSServer, add accounts with AddUser, point the
// code under test at URL, and Close it when done.
type Server struct {
	// URL is the API endpoint: the server's base URL followed by "/api",
	// for example "http://127.0.0.1:49152/api".
	URL string

	// Faults injects failures, delays and hostile answers in front of the
	// protocol, and counts requests: FailNext, FailNextRetryAfter,
	// DropNext, MalformedNext, SetDelay, ClearFaults, Requests and the rest
	// of the kit every fake server shares.
	authtest.Faults

	ts *httptest.Server

	mu         sync.Mutex
	accounts   map[string]*account // by username
	sessions   map[string]*account // by SessionId
	nextUserID int
	actions    map[string]int // requests by Action; Logins and Logouts read it
	reject     bool
}

// account is one user who can sign in. Sessions point at it, so replacing
// an account's password or roles shows in sessions already open.
type account struct {
	username string
	password string
	userID   string
	roles    []string
}

// NewServer starts and returns a Server speaking plain HTTP on a loopback
// address. The caller should call Close when finished, to shut it down.
func NewServer() *Server {
	return start(httptest.NewServer)
}

// NewTLSServer starts and returns a Server speaking HTTPS on a loopback
// address, with a certificate that the client returned by Client trusts.
// The caller should call Close when finished, to shut it down.
func NewTLSServer() *Server {
	return start(httptest.NewTLSServer)
}

func start(newServer func(http.Handler) *httptest.Server) *Server {
	s := &Server{
		accounts:   make(map[string]*account),
		sessions:   make(map[string]*account),
		actions:    make(map[string]int),
		nextUserID: firstUserID,
	}
	s.ts = newServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL + "/api"
	return s
}

// Close shuts down the server and blocks until all requests to it have
// completed. Requests waiting out a SetDelay are cut off rather than waited
// for. Close may be called more than once.
func (s *Server) Close() {
	s.CloseFaults() // first: httptest's Close waits for the delayed handlers
	s.ts.Close()
}

// Client returns an HTTP client configured for requests to the server: for
// a server made by NewTLSServer it trusts the server's certificate. It is
// closed (its idle connections dropped) by Close.
func (s *Server) Client() *http.Client {
	return s.ts.Client()
}

// Certificate returns the certificate of a server made by NewTLSServer, or
// nil for a plain HTTP server.
func (s *Server) Certificate() *x509.Certificate {
	return s.ts.Certificate()
}

// User is an account that can sign in.
type User struct {
	// Username is the login name, in the full "user@domain" form.
	Username string
	// Password is checked at SessionCreate; "" allows no login.
	Password string
	// Roles are the role names the session reports; none means
	// [DefaultRole].
	Roles []string
}

// AddUser adds u as an account that can sign in and returns its user ID: a
// decimal number unique within the server. Adding a username again
// replaces its password and roles and keeps its ID and open sessions.
// AddUser panics if u.Username is empty.
func (s *Server) AddUser(u User) (userID string) {
	if u.Username == "" {
		panic("onsiptest: AddUser with an empty Username")
	}
	roles := append([]string(nil), u.Roles...) // the caller may reuse its slice
	if len(roles) == 0 {
		roles = []string{DefaultRole}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[u.Username]; ok {
		a.password, a.roles = u.Password, roles
		return a.userID
	}
	a := &account{
		username: u.Username,
		password: u.Password,
		userID:   strconv.Itoa(s.nextUserID),
		roles:    roles,
	}
	s.nextUserID++
	s.accounts[u.Username] = a
	return a.userID
}

// Logins returns the number of SessionCreate requests received, refused and
// faulted ones included.
func (s *Server) Logins() int {
	return s.Calls(actionSessionCreate)
}

// Logouts returns the number of SessionDestroy requests received, refused
// and faulted ones included.
func (s *Server) Logouts() int {
	return s.Calls(actionSessionDestroy)
}

// Calls returns the number of requests received for the vendor call
// named action (OnSIP's Action parameter), refused and faulted ones
// included. Calls("") counts the requests that had no Action.
func (s *Server) Calls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.actions[action]
}

// ActiveSessions returns the number of sessions the server holds open:
// created and neither destroyed nor forgotten.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// ForgetSessions makes every session issued so far unknown, as if each had
// expired at OnSIP. Requests that carry one are refused from then on.
func (s *Server) ForgetSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// RejectCredentials makes every SessionCreate be refused as for a wrong
// password while reject is true, whatever accounts exist.
func (s *Server) RejectCredentials(reject bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = reject
}

// record counts one request received with the given Action ("" for none).
func (s *Server) record(action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actions[action]++
}

// login opens a session for username and password and returns its ID and a
// copy of the account, or reports false when they do not match an account
// or RejectCredentials is on.
func (s *Server) login(username, password string) (string, account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[username]
	if !ok || s.reject || a.password != password {
		return "", account{}, false
	}
	id := newSessionID()
	s.sessions[id] = a
	return id, *a, true
}

// logout ends the session id and reports whether it was open.
func (s *Server) logout(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[id]; !ok {
		return false
	}
	delete(s.sessions, id)
	return true
}

// lookup returns a copy of the account holding the open session id, so the
// caller can read it without the lock.
func (s *Server) lookup(id string) (account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.sessions[id]
	if !ok {
		return account{}, false
	}
	return *a, true
}

// newSessionID returns 26 characters of [a-z2-7] carrying 128 random bits,
// the length and alphabet of OnSIP's session IDs.
func newSessionID() string {
	return strings.ToLower(rand.Text())
}
