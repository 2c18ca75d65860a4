package ipcortex_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// The accounts every test server holds.
const (
	aliceLogin    = "alice"
	alicePassword = "alice-password-9f3b"
	aliceKey      = "alice-api-key-5d1e77c0"
	aliceID       = 123
)

// newServer starts a plain fake PBX with alice and her API key.
func newServer(t testing.TB) *ipcortextest.Server {
	t.Helper()
	srv := ipcortextest.NewServer()
	t.Cleanup(srv.Close)
	addAlice(srv)
	return srv
}

func addAlice(srv *ipcortextest.Server) {
	srv.AddUser(ipcortextest.User{
		ID: aliceID, Login: aliceLogin, Password: alicePassword, Name: "Alice Smith",
		Company: "acme", Home: "acme-home",
		Perms: map[string]string{"calls": "company", "admin": "yes"},
	})
	srv.AddAPIKey(aliceKey, aliceLogin)
}

// passwordConfig and keyConfig point at endpoint with alice's credentials.
func passwordConfig(endpoint string) auth.Config {
	return auth.Config{Endpoint: endpoint, Retry: auth.RetryPolicy{MaxAttempts: 1},
		Credentials: auth.Credentials{Username: aliceLogin, Password: alicePassword}}
}

func keyConfig(endpoint string) auth.Config {
	return auth.Config{Endpoint: endpoint, Retry: auth.RetryPolicy{MaxAttempts: 1},
		Credentials: auth.Credentials{APIKey: aliceKey}}
}

// mustNew is ipcortex.New that fails t on error.
func mustNew(t testing.TB, cfg auth.Config, opts ...ipcortex.Option) *ipcortex.Authenticator {
	t.Helper()
	a, err := ipcortex.New(cfg, opts...)
	require.NoError(t, err)
	return a
}

// stub is a server with a fixed answer, for the variations an independent
// PBX may send. It records what it was sent.
type stub struct {
	*httptest.Server
	mu       sync.Mutex
	requests []sent
}

// sent is one request a stub received.
type sent struct {
	method, path string
	header       http.Header
	body         string
}

// newStub answers every request with status and body; each header is
// "Name: value".
func newStub(t testing.TB, status int, body string, headers ...string) *stub {
	t.Helper()
	s := &stub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, sent{r.Method, r.URL.Path, r.Header.Clone(), string(b)})
		s.mu.Unlock()
		for _, h := range headers {
			name, value, _ := strings.Cut(h, ": ")
			w.Header().Add(name, value)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// got returns the requests received so far.
func (s *stub) got() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// requireErrorIs fails t unless err is an *auth.Error holding want; it
// returns the *auth.Error.
func requireErrorIs(t *testing.T, err, want error) *auth.Error {
	t.Helper()
	var ae *auth.Error
	require.ErrorAs(t, err, &ae)
	require.ErrorIs(t, err, want)
	assert.Equal(t, ipcortex.Name, ae.Provider)
	return ae
}

// assertNoSecret fails t if text holds any of the secrets, naming neither.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s holds secret #%d", what, i)
		}
	}
}

// assertSecretJSON fails t unless got is the JSON document want. Both may
// hold a credential, so a failure prints neither, only their lengths.
func assertSecretJSON(t *testing.T, what, want, got string) {
	t.Helper()
	var w, g any
	if json.Unmarshal([]byte(want), &w) != nil || json.Unmarshal([]byte(got), &g) != nil || !reflect.DeepEqual(w, g) {
		t.Errorf("%s is not the JSON expected (%d bytes, want %d)", what, len(got), len(want))
	}
}

// assertSecretText fails t unless got is want, printing neither.
func assertSecretText(t *testing.T, what, want, got string) {
	t.Helper()
	if got != want {
		t.Errorf("%s is not the text expected (%d bytes, want %d)", what, len(got), len(want))
	}
}
