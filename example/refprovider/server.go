package refprovider

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/pbxauth/pbxauth/auth/authtest"
)

// Server is a fake ref vendor on a loopback address. It embeds
// authtest.Faults, the fault kit every fake server shares, so it speaks the
// suite's vocabulary of faults; it adds the vendor's own documents and
// counts. Safe for concurrent use.
type Server struct {
	*httptest.Server
	authtest.Faults

	mu              sync.Mutex
	sessions        map[string]bool
	reject          bool
	logins, logouts int
	user, password  string
}

var _ authtest.Server = (*Server)(nil)

// NewServer starts a Server that knows one account.
func NewServer(user, password string) *Server {
	s := &Server{sessions: map[string]bool{}, user: user, password: password}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("/", s.api)
	s.Server = httptest.NewServer(s.count(s.Wrap(mux)))
	return s
}

// Close ends the delayed answers, then the server.
func (s *Server) Close() {
	s.CloseFaults()
	s.Server.Close()
}

// count counts logins and logouts before any fault takes them.
func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		switch r.URL.Path {
		case "/login":
			s.logins++
		case "/logout":
			s.logouts++
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ User, Password string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reject || in.User != s.user || in.Password != s.password {
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "message": "bad user or password"})
		return
	}
	id := rand.Text()
	s.sessions[id] = true
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "session": id})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.Header.Get(sessionHeader)
	known := s.sessions[id]
	delete(s.sessions, id)
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": known})
}

// api is the vendor's other API: it needs a live session.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	known := s.sessions[r.Header.Get(sessionHeader)]
	s.mu.Unlock()
	if !known {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true})
}

func (s *Server) read(n *int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *n
}

// Logins is the number of login requests received.
func (s *Server) Logins() int { return s.read(&s.logins) }

// Logouts is the number of logout requests received.
func (s *Server) Logouts() int { return s.read(&s.logouts) }

// ActiveSessions is the number of live sessions.
func (s *Server) ActiveSessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// ForgetSessions makes every session unknown.
func (s *Server) ForgetSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sessions)
}

// RejectCredentials refuses every login while reject is true.
func (s *Server) RejectCredentials(reject bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = reject
}

// GarbageNext answers the next n requests with a body that is not JSON.
func (s *Server) GarbageNext(n int) {
	s.BodyNext(n, "application/json", []byte("<html>oops</html>"))
}

// OversizeNext answers the next n requests with an oversized document.
func (s *Server) OversizeNext(n int) {
	s.BodyNext(n, "application/json", []byte(`{"ok":true,"session":"`+strings.Repeat("x", authtest.OversizeBytes)+`"}`))
}

// EchoNext refuses the next n requests with a message quoting the
// password they carried, passed through encode.
func (s *Server) EchoNext(n int, encode func(string) string) {
	s.AnswerNext(n, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Password string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "message": "bad password " + encode(in.Password)})
	}))
}
