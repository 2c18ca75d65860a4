package ipcortex_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

func TestNewRefusesBadConfig(t *testing.T) {
	creds := auth.Credentials{Username: aliceLogin, Password: alicePassword}
	for _, tc := range []struct {
		name string
		cfg  auth.Config
		want string
	}{
		{"no endpoint", auth.Config{Credentials: creds}, "Config.Endpoint is required"},
		{"no credentials", auth.Config{Endpoint: "https://pbx.example.com"}, "needs an APIKey, or both a Username and a Password"},
		{"username only", auth.Config{Endpoint: "https://pbx.example.com", Credentials: auth.Credentials{Username: "u"}}, "needs an APIKey"},
		{"password only", auth.Config{Endpoint: "https://pbx.example.com", Credentials: auth.Credentials{Password: alicePassword}}, "needs an APIKey"},
		{"key with a newline", auth.Config{Endpoint: "https://pbx.example.com", Credentials: auth.Credentials{APIKey: "k\nX-Evil: 1"}}, "control character"},
		{"plain http to a remote host", auth.Config{Endpoint: "http://pbx.example.com", Credentials: creds}, "plain http"},
		{"not a URL", auth.Config{Endpoint: "pbx.example.com", Credentials: creds}, "scheme must be https"},
		{"query", auth.Config{Endpoint: "https://pbx.example.com/?x=1", Credentials: creds}, "query"},
		{"negative TTL", auth.Config{Endpoint: "https://pbx.example.com", Credentials: creds, SessionTTL: -1}, "SessionTTL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ipcortex.New(tc.cfg)
			require.Error(t, err)
			if strings.Contains(err.Error(), alicePassword) {
				t.Fatal("the error holds the password")
			}
			assert.Nil(t, a)
			assert.Contains(t, err.Error(), tc.want)
			var ae *auth.Error
			assert.NotErrorAs(t, err, &ae, "a configuration mistake is a plain error")
		})
	}
}

func TestNewAcceptsEitherCredential(t *testing.T) {
	for name, creds := range map[string]auth.Credentials{
		"password":     {Username: "u", Password: "p"},
		"key":          {APIKey: "k"},
		"key and more": {APIKey: "k", Username: "u"},
	} {
		_, err := ipcortex.New(auth.Config{Endpoint: "https://pbx.example.com", Credentials: creds}, nil, ipcortex.KeyInHeader())
		assert.NoError(t, err, name)
	}
}

func TestRegistered(t *testing.T) {
	assert.Contains(t, auth.Providers(), ipcortex.Name)

	a, err := auth.Open(ipcortex.Name, auth.Config{})
	require.Error(t, err)
	assert.Nil(t, a, "an error comes with a nil interface, not a typed nil")

	srv := newServer(t)
	a, err = auth.Open(ipcortex.Name, passwordConfig(srv.URL))
	require.NoError(t, err)
	assert.IsType(t, &ipcortex.Authenticator{}, a)
	s, err := a.Session(context.Background())
	require.NoError(t, err)
	assert.Equal(t, ipcortex.Name, s.Provider)
}

// TestEndpointPaths: the API's paths go under the endpoint's own path,
// whatever its trailing slash.
func TestEndpointPaths(t *testing.T) {
	for _, tc := range []struct{ suffix, login, logout string }{
		{"", "/rest/auth/", "/rest/auth/logout"},
		{"/", "/rest/auth/", "/rest/auth/logout"},
		{"/sub", "/sub/rest/auth/", "/sub/rest/auth/logout"},
		{"/sub/", "/sub/rest/auth/", "/sub/rest/auth/logout"},
	} {
		t.Run("endpoint"+tc.suffix, func(t *testing.T) {
			var paths []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				paths = append(paths, r.URL.Path)
				w.Header().Set("Set-Cookie", "Red60urne=abc")
				_, _ = w.Write([]byte(`{"result":"success","user":{"id":1}}`))
			}))
			defer srv.Close()
			a := mustNew(t, passwordConfig(srv.URL+tc.suffix))
			_, err := a.Login(context.Background())
			require.NoError(t, err)
			require.NoError(t, a.Logout(context.Background()))
			assert.Equal(t, []string{tc.login, tc.logout}, paths)
		})
	}
}

// TestLoginRenewsWithTheSessionCookie: the page says a login that carries
// the Red60urne cookie affects that session instead of opening another, so
// a Login with a session held sends its cookie (and a first Login none),
// and the session is renewed in place rather than replaced and orphaned.
func TestLoginRenewsWithTheSessionCookie(t *testing.T) {
	var cookies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Cookie(ipcortex.CookieName)
		if c != nil {
			cookies = append(cookies, c.Value)
		} else {
			cookies = append(cookies, "")
		}
		w.Header().Set("Set-Cookie", "Red60urne=abc; Path=/")
		_, _ = w.Write([]byte(`{"result":"success","user":{"id":1}}`))
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	cfg := passwordConfig(srv.URL)
	cfg.HTTPClient = srv.Client()
	cfg.HTTPClient.Jar = jar // ignored for the provider's own requests
	a := mustNew(t, cfg)
	for range 3 {
		_, err := a.Login(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"", "abc", "abc"}, cookies, "no logout in between: the session was renewed in place")
}

// A PBX that refuses a login carrying a stale cookie gets one more try
// without it, as a first login.
func TestLoginWithoutTheCookieWhenRenewalIsRefused(t *testing.T) {
	var withCookie, without, logouts int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/logout") {
			logouts++
			_, _ = w.Write([]byte(`{"result":"success"}`))
			return
		}
		if _, err := r.Cookie(ipcortex.CookieName); err == nil {
			withCookie++
			_, _ = w.Write([]byte(`{"result":"fail"}`))
			return
		}
		without++
		w.Header().Set("Set-Cookie", "Red60urne=s"+strconv.Itoa(without)+"; Path=/")
		_, _ = w.Write([]byte(`{"result":"success","user":{"id":1}}`))
	}))
	defer srv.Close()
	a := mustNew(t, passwordConfig(srv.URL))
	first, err := a.Login(context.Background())
	require.NoError(t, err)
	second, err := a.Login(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, second.ID)
	assert.Equal(t, 1, withCookie)
	assert.Equal(t, 2, without)
	assert.Equal(t, 1, logouts, "the session the refused renewal left is logged out")
}
