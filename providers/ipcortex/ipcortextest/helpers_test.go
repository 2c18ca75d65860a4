package ipcortextest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// The fake server is the handle the contract suite drives.
var _ authtest.Server = (*ipcortextest.Server)(nil)

const (
	alicePassword = "alice-secret-pw"
	bobPassword   = "bob-secret-pw"
	aliceKey      = "alice-api-key-0123456789"
)

// newServer starts a plain server with two users and an API key for alice.
func newServer(t *testing.T) *ipcortextest.Server {
	t.Helper()
	srv := ipcortextest.NewServer()
	t.Cleanup(srv.Close)
	addUsers(srv)
	return srv
}

func addUsers(srv *ipcortextest.Server) {
	srv.AddUser(ipcortextest.User{
		ID: 123, Login: "alice", Password: alicePassword, Name: "Alice Smith",
		Company: "acme", Home: "acme",
		Perms: map[string]string{"calls": "company", "admin": "yes"},
	})
	srv.AddUser(ipcortextest.User{
		ID: 456, Login: "bob", Password: bobPassword, Name: "Bob Jones",
		Company: "acme", Home: "widgets",
	})
	srv.AddAPIKey(aliceKey, "alice")
}

// response is one answer, read in full.
type response struct {
	*http.Response
	body []byte
}

// doc decodes the body as a JSON object.
func (r response) doc(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body %q", r.body)
	return m
}

// cookie returns the response's Red60urne cookie, or nil.
func (r response) cookie() *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == ipcortextest.CookieName {
			return c
		}
	}
	return nil
}

// send makes a request with c and reads the whole answer. Each header is
// "Name: value".
func send(t *testing.T, c *http.Client, method, url, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ": ")
		require.True(t, ok, "header %q", h)
		req.Header.Add(name, value)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp, b}
}

func post(t *testing.T, c *http.Client, url, body string, headers ...string) response {
	t.Helper()
	return send(t, c, http.MethodPost, url, body, headers...)
}

func loginBody(user, password string) string {
	b, _ := json.Marshal(map[string]any{"auth": map[string]string{
		"type": "auth", "username": user, "password": password}})
	return string(b)
}

func keyBody(key string) string {
	b, _ := json.Marshal(map[string]any{"auth": map[string]string{"type": "auth", "key": key}})
	return string(b)
}

const logoutBody = `{"auth":{"type":"auth"}}`

func sessionCookie(value string) string {
	return "Cookie: " + ipcortextest.CookieName + "=" + value
}

// login signs in and returns the session value.
func login(t *testing.T, srv *ipcortextest.Server, user, password string, headers ...string) string {
	t.Helper()
	r := post(t, srv.Client(), srv.URL+"/rest/auth/", loginBody(user, password), headers...)
	require.Equal(t, http.StatusOK, r.StatusCode)
	c := r.cookie()
	require.NotNil(t, c, "no session cookie in %q", r.body)
	return c.Value
}
