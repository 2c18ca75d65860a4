package authtest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/internal/fakeserver"
)

// This file is a complete small provider, "ref", and its fake server: the
// suite is proven on it before any vendor exists. Its protocol: POST
// /login {"user","password"} answers {"ok":true,"session":"..."} or
// {"ok":false}; POST /logout with header X-Session answers {"ok":true}, or
// {"ok":false} when the session is unknown.

type refBackend struct {
	endpoint string
	creds    auth.Credentials
	caller   *auth.Caller
}

type refAnswer struct {
	OK      *bool  `json:"ok"`
	Session string `json:"session"`
}

func (b *refBackend) post(ctx context.Context, op, path string, body any, session auth.Secret) (refAnswer, error) {
	var a refAnswer
	payload, err := json.Marshal(body)
	if err != nil {
		return a, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint+path, bytes.NewReader(payload))
	if err != nil {
		return a, err
	}
	if session != "" {
		req.Header.Set("X-Session", session.Reveal())
	}
	resp, err := b.caller.Do(req, op)
	if err != nil {
		return a, err
	}
	if json.Unmarshal(resp.Body, &a) != nil || a.OK == nil {
		return a, &auth.Error{Provider: "ref", Op: op, StatusCode: resp.StatusCode, Err: auth.ErrProtocol, Message: "answer is not a ref document"}
	}
	return a, nil
}

func (b *refBackend) Login(ctx context.Context) (*auth.Session, error) {
	a, err := b.post(ctx, auth.OpLogin, "/login", map[string]string{"user": b.creds.Username, "password": b.creds.Password.Reveal()}, "")
	switch {
	case err != nil:
		return nil, err
	case !*a.OK:
		return nil, &auth.Error{Provider: "ref", Op: auth.OpLogin, StatusCode: 200, Err: auth.ErrInvalidCredentials}
	case a.Session == "":
		return nil, &auth.Error{Provider: "ref", Op: auth.OpLogin, StatusCode: 200, Err: auth.ErrProtocol, Message: "no session"}
	}
	return &auth.Session{ID: auth.Secret(a.Session), Username: b.creds.Username}, nil
}

func (b *refBackend) Logout(ctx context.Context, s *auth.Session) error {
	_, err := b.post(ctx, auth.OpLogout, "/logout", struct{}{}, s.ID)
	return err // {"ok":false}: the session is gone already, which is success
}

// refAuth is the ref provider's authenticator: the shared cache, plus the
// vendor's way to carry a session (a header) for auth.NewClient. It has no
// RefusalDetector: ref refuses with 401, the default.
type refAuth struct {
	*auth.SessionCache
}

func (refAuth) Authorize(req *http.Request, s *auth.Session) error {
	req.Header.Set("X-Session", s.ID.Reveal())
	return nil
}

func newRef(cfg auth.Config) (*refAuth, error) {
	u, err := cfg.EndpointURL("")
	if err != nil {
		return nil, err
	}
	b := &refBackend{endpoint: u.String(), creds: cfg.Credentials, caller: auth.NewCaller("ref", cfg)}
	return &refAuth{auth.NewSessionCache("ref", cfg, b)}, nil
}

// refServer is the fake server of the ref protocol.
type refServer struct {
	*httptest.Server
	fakeserver.Faults
	mu              sync.Mutex
	sessions        map[string]bool
	reject          bool
	logins, logouts int
	user, password  string
}

var _ authtest.Server = (*refServer)(nil)

func newRefServer(user, password string) *refServer {
	s := &refServer{sessions: map[string]bool{}, user: user, password: password}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /api", s.api)
	s.Server = httptest.NewServer(s.Wrap(mux))
	return s
}

// Close ends the delayed answers, then the server.
func (s *refServer) Close() {
	s.Faults.Close()
	s.Server.Close()
}

func (s *refServer) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ User, Password string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins++
	if s.reject || in.User != s.user || in.Password != s.password {
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false})
		return
	}
	id := rand.Text()
	s.sessions[id] = true
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "session": id})
}

func (s *refServer) logout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logouts++
	id := r.Header.Get("X-Session")
	known := s.sessions[id]
	delete(s.sessions, id)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": known})
}

// api is the vendor's other API: it needs a known session.
func (s *refServer) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	known := s.sessions[r.Header.Get("X-Session")]
	s.mu.Unlock()
	if !known {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
}

func (s *refServer) count(n *int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *n
}

func (s *refServer) Logins() int  { return s.count(&s.logins) }
func (s *refServer) Logouts() int { return s.count(&s.logouts) }
func (s *refServer) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
func (s *refServer) ForgetSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}
func (s *refServer) RejectCredentials(reject bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = reject
}
func (s *refServer) GarbageNext(n int) {
	s.BodyNext(n, "application/json", []byte("<html>oops</html>"))
}
func (s *refServer) OversizeNext(n int) {
	s.BodyNext(n, "application/json", []byte(`{"ok":true,"session":"`+strings.Repeat("x", fakeserver.OversizeBytes)+`"}`))
}

const password = "correct horse battery staple"

func TestReferenceProvider(t *testing.T) {
	authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
		srv := newRefServer("alice", password)
		t.Cleanup(srv.Close)
		cfg.Endpoint = srv.URL
		cfg.Credentials = auth.Credentials{Username: "alice", Password: password}
		ref, err := newRef(cfg)
		if err != nil {
			t.Fatal(err)
		}
		a := broken{ref, os.Getenv(breakEnv)}
		return authtest.Fixture{
			Authenticator: a, Server: srv, Secrets: []auth.Secret{cfg.Credentials.Password}, Config: cfg,
			NewAPIRequest: func(ctx context.Context) (*http.Request, error) {
				return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api", nil)
			},
		}
	})
}
