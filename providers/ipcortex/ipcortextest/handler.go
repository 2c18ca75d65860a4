package ipcortextest

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

// The paths of the authentication API, without their trailing slash; the
// vendor documents /rest/auth/ and /rest/auth/logout, and both forms work.
const (
	loginPath  = "/rest/auth"
	logoutPath = "/rest/auth/logout"
	apiPrefix  = "/rest/"
)

// maxRequestBody bounds what the server reads of a request body, so a
// broken client under test cannot make it hold unbounded memory.
const maxRequestBody = authtest.MaxRequestBody

// envelope is the part of a request body the server reads: the "auth"
// object the vendor's page shows on every authentication request.
type envelope struct {
	Auth *authFields `json:"auth"`
}

type authFields struct {
	Type     string `json:"type"`
	Username string `json:"username"`
	Password string `json:"password"`
	Key      string `json:"key"`
}

// answer is every document the server sends: {"result":..} with a user on a
// login, a message on some refusals, and data on the rest of the API.
type answer struct {
	Result  string    `json:"result"`
	Message string    `json:"message,omitempty"`
	User    *userJSON `json:"user,omitempty"`
	Data    *apiData  `json:"data,omitempty"`
}

type userJSON struct {
	ID      int    `json:"id"`
	Login   string `json:"login"`
	Name    string `json:"name"`
	Company string `json:"company"`
	Home    string `json:"home"`
	// Session is left out for API-key checks, which open no session.
	Session string            `json:"session,omitempty"`
	Perms   map[string]string `json:"perms"`
}

type apiData struct {
	Path string `json:"path"`
	User string `json:"user"`
}

var (
	success = answer{Result: "success"}
	fail    = answer{Result: "fail"}
)

// serve counts r, applies the delay and any pending injected answer, then
// answers the way the PBX would.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := normalize(r.URL.Path)
	s.mu.Lock()
	s.paths[path]++
	switch path {
	case loginPath:
		s.logins++
	case logoutPath:
		s.logouts++
	}
	s.mu.Unlock()

	// net/http only notices a client that left, and ends r's context, once
	// the body has been read: read it before waiting out the delay. One byte
	// past the limit is kept, so the handlers still see a body too large.
	authtest.ReadBody(r)
	if !s.Wait(r.Context()) {
		// The client is gone, or the server is closing: abort the
		// connection rather than send an answer nobody asked for.
		panic(http.ErrAbortHandler)
	}
	if s.Serve(w, r) {
		return
	}

	switch {
	case path == loginPath:
		s.login(w, r)
	case path == logoutPath:
		s.logout(w, r)
	case strings.HasPrefix(path, apiPrefix):
		s.api(w, r)
	default:
		http.NotFound(w, r)
	}
}

// login answers POST /rest/auth/: a password login, which opens (or re-uses)
// a session, or an API-key check, which opens none.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	a, ok := readAuth(w, r)
	if !ok {
		return
	}
	headerKey := keyFromHeader(r.Header)
	if a == nil && headerKey == "" {
		badRequest(w, http.StatusBadRequest, `request has no "auth" object`)
		return
	}
	if a != nil && a.Type != "auth" {
		badRequest(w, http.StatusBadRequest, `auth.type must be "auth"`)
		return
	}

	// A key in the body wins over one in the header; either wins over a
	// username, as the vendor offers keys "instead of" the session login.
	key := headerKey
	if a != nil && a.Key != "" {
		key = a.Key
	}
	if key != "" {
		u, ok := s.keyOwner(key)
		if !ok {
			writeJSON(w, http.StatusOK, fail)
			return
		}
		writeJSON(w, http.StatusOK, answer{Result: "success", User: userAnswer(u, "")})
		return
	}
	if a.Username == "" {
		badRequest(w, http.StatusBadRequest, "auth needs a username and password, or a key")
		return
	}

	var cookie string
	if c, err := r.Cookie(CookieName); err == nil {
		cookie = c.Value
	}
	s.mu.Lock()
	u, ok := s.users[a.Username]
	ok = ok && !s.reject && u.Password != "" &&
		subtle.ConstantTimeCompare([]byte(u.Password), []byte(a.Password)) == 1
	var session string
	if ok {
		// The vendor's page: a login that carries a session cookie affects
		// that session; without one, a new session is created.
		if _, known := s.sessions[cookie]; known && cookie != "" {
			session = cookie
		} else {
			session = newSessionValue()
		}
		s.sessions[session] = u.Login
	}
	s.mu.Unlock()

	if !ok {
		writeJSON(w, http.StatusOK, fail)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    session,
		Path:     "/",
		HttpOnly: true,
		Secure:   r.TLS != nil,
	})
	writeJSON(w, http.StatusOK, answer{Result: "success", User: userAnswer(u, session)})
}

// logout answers POST /rest/auth/logout: the Red60urne cookie names the
// session to end.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	a, ok := readAuth(w, r)
	if !ok {
		return
	}
	if a == nil {
		badRequest(w, http.StatusBadRequest, `request has no "auth" object`)
		return
	}
	if a.Type != "auth" {
		badRequest(w, http.StatusBadRequest, `auth.type must be "auth"`)
		return
	}

	known := false
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		s.mu.Lock()
		_, known = s.sessions[c.Value]
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	if !known {
		writeJSON(w, http.StatusOK, fail)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Path:     "/",
		MaxAge:   -1, // sent as Max-Age=0: the browser drops the cookie
		HttpOnly: true,
		Secure:   r.TLS != nil,
	})
	writeJSON(w, http.StatusOK, success)
}

// api answers any other path under /rest/, standing in for the rest of the
// vendor's API: it only checks that the request is authorized.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	// The body belongs to the vendor's other calls and need not be JSON;
	// all that matters here is an auth.key inside it, if any.
	key := keyFromHeader(r.Header)
	if body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody)); err == nil {
		var env envelope
		if json.Unmarshal(body, &env) == nil && env.Auth != nil && env.Auth.Key != "" {
			key = env.Auth.Key
		}
	}

	var login string
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		s.mu.Lock()
		login = s.sessions[c.Value]
		s.mu.Unlock()
	}
	if login == "" && key != "" {
		if u, ok := s.keyOwner(key); ok {
			login = u.Login
		}
	}
	if login == "" {
		writeJSON(w, http.StatusOK, answer{Result: "fail", Message: "authentication required"})
		return
	}
	s.mu.Lock()
	deny := s.deny
	s.mu.Unlock()
	if deny {
		writeJSON(w, http.StatusOK, answer{Result: "fail", Message: "permission denied"})
		return
	}
	writeJSON(w, http.StatusOK, answer{Result: "success", Data: &apiData{Path: r.URL.Path, User: login}})
}

// keyOwner returns the user who owns API key, unless the key is unknown,
// its owner does not exist, or RejectCredentials is on.
func (s *Server) keyOwner(key string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject {
		return User{}, false
	}
	login, ok := s.keys[key]
	if !ok {
		return User{}, false
	}
	u, ok := s.users[login]
	return u, ok
}

// readAuth reads r, a POST to an auth path, as the vendor's JSON request
// and returns its auth object: nil when the body is empty or has none. On
// another method or a body it cannot read it answers the request itself and
// reports false.
func readAuth(w http.ResponseWriter, r *http.Request) (*authFields, bool) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			badRequest(w, http.StatusRequestEntityTooLarge, "request body is too large")
		} else {
			badRequest(w, http.StatusBadRequest, "cannot read request body")
		}
		return nil, false
	}
	// An empty body is allowed so that a key in the Authorization header
	// can stand alone; the callers decide whether auth was needed.
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, true
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		// The decoder's message is not echoed: it could quote the body.
		badRequest(w, http.StatusBadRequest, "request body is not a valid JSON object")
		return nil, false
	}
	return env.Auth, true
}

// keyFromHeader returns the API key of an "Authorization: token auth=KEY"
// header (IPCortex 6.3.10 and later), or "" when there is none.
func keyFromHeader(h http.Header) string {
	scheme, params, ok := strings.Cut(strings.TrimSpace(h.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "token") {
		return ""
	}
	for p := range strings.SplitSeq(params, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(name, "auth") {
			if v, err := strconv.Unquote(value); err == nil {
				value = v
			}
			return value
		}
	}
	return ""
}

// userAnswer is u as the login answer shows it, with session left out when
// it is "".
func userAnswer(u User, session string) *userJSON {
	perms := u.Perms
	if perms == nil {
		perms = map[string]string{} // the page always shows "perms" as an object
	}
	return &userJSON{
		ID:      u.ID,
		Login:   u.Login,
		Name:    u.Name,
		Company: u.Company,
		Home:    u.Home,
		Session: session,
		Perms:   perms,
	}
}

// newSessionValue returns a fresh session value: 128 random bits in 32 hex
// digits, unguessable like a real PBX's.
func newSessionValue() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it panics instead
	return hex.EncodeToString(b)
}

func methodNotAllowed(w http.ResponseWriter) {
	w.Header().Set("Allow", http.MethodPost)
	badRequest(w, http.StatusMethodNotAllowed, "method not allowed; use POST")
}

// badRequest answers a request the server cannot make sense of, with a
// message that names what is wrong and never quotes the request.
func badRequest(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, answer{Result: "fail", Message: message})
}

func writeJSON(w http.ResponseWriter, status int, a answer) {
	b, err := json.Marshal(a)
	if err != nil {
		// answer holds only strings, ints and string maps.
		panic("ipcortextest: cannot encode answer: " + err.Error())
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a write error means the client went away
}
