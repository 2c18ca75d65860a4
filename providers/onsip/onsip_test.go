package onsip_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

const (
	user     = "john.doe@example.onsip.com"
	password = "correct horse battery staple"
)

// start returns a fake OnSIP with the test account and an authenticator
// for it, both closed with t.
func start(t *testing.T) (*onsip.Authenticator, *onsiptest.Server) {
	t.Helper()
	srv := onsiptest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddUser(onsiptest.User{Username: user, Password: password})
	return newAuthenticator(t, srv.URL), srv
}

// newAuthenticator returns an authenticator for the test account at
// endpoint, retrying quickly.
func newAuthenticator(t *testing.T, endpoint string) *onsip.Authenticator {
	t.Helper()
	a, err := onsip.New(auth.Config{
		Endpoint:    endpoint,
		Credentials: auth.Credentials{Username: user, Password: password},
		Retry:       authtest.SuiteRetry,
	})
	require.NoError(t, err)
	return a
}

// noSecret fails t if text holds secret. Neither is printed: the message
// says only what was being looked at.
func noSecret(t *testing.T, what, text string, secret auth.Secret) {
	t.Helper()
	if secret != "" && strings.Contains(text, secret.Reveal()) {
		t.Errorf("%s holds a secret", what)
	}
}

// userReadRequests returns requests for an action of the rest of the OnSIP
// API, which onsiptest answers only for a live session.
func userReadRequests(endpoint string) func(context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader("Action=UserRead"))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, err
	}
}

func TestContract(t *testing.T) {
	for _, tc := range []struct {
		name     string
		newSrv   func() *onsiptest.Server
		ownTrust bool // the server's certificate needs its own client
	}{
		{"HTTP", onsiptest.NewServer, false},
		{"TLS", onsiptest.NewTLSServer, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
				srv := tc.newSrv()
				t.Cleanup(srv.Close)
				srv.AddUser(onsiptest.User{Username: user, Password: password})
				cfg.Endpoint = srv.URL
				cfg.Credentials = auth.Credentials{Username: user, Password: password}
				if tc.ownTrust && cfg.HTTPClient == nil { // the suite's own client is kept
					cfg.HTTPClient = srv.Client()
				}
				a, err := onsip.New(cfg)
				require.NoError(t, err)
				return authtest.Fixture{
					Authenticator: a, Server: srv, Secrets: []auth.Secret{password}, Config: cfg,
					NewAPIRequest: userReadRequests(srv.URL),
				}
			})
		})
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	good := auth.Credentials{Username: user, Password: password}
	for _, tc := range []struct {
		name string
		cfg  auth.Config
		want string // in the error's text
	}{
		{"no username", auth.Config{Credentials: auth.Credentials{Password: password}}, "Username is required"},
		{"no password", auth.Config{Credentials: auth.Credentials{Username: user}}, "Password is required"},
		{"API key", auth.Config{Credentials: auth.Credentials{Username: user, Password: password, APIKey: "key"}}, "no API keys"},
		{"API key only", auth.Config{Credentials: auth.Credentials{APIKey: "key"}}, "no API keys"},
		{"endpoint not a URL", auth.Config{Endpoint: "http://[::1", Credentials: good}, "not a URL"},
		{"endpoint not http", auth.Config{Endpoint: "ftp://api.onsip.com/api", Credentials: good}, "scheme"},
		{"plain http elsewhere", auth.Config{Endpoint: "http://api.onsip.com/api", Credentials: good}, "plain http"},
		{"endpoint with a query", auth.Config{Endpoint: "https://api.onsip.com/api?x=1", Credentials: good}, "query"},
		{"negative TTL", auth.Config{Credentials: good, SessionTTL: -1}, "SessionTTL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := onsip.New(tc.cfg)
			require.Error(t, err)
			assert.Nil(t, a)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "onsip: "), "the error names the provider")
			noSecret(t, "the error", err.Error(), password)
		})
	}
}

func TestNewAccepts(t *testing.T) {
	for _, endpoint := range []string{
		"", // the default
		onsip.DefaultEndpoint,
		"https://api.onsip.com/api/",
		"http://127.0.0.1:8080/api",
		"http://localhost/api",
	} {
		_, err := onsip.New(auth.Config{Endpoint: endpoint, Credentials: auth.Credentials{Username: user, Password: password}})
		assert.NoError(t, err, endpoint)
	}
	_, err := onsip.New(auth.Config{Endpoint: "http://onsip.internal/api", AllowInsecureHTTP: true,
		Credentials: auth.Credentials{Username: user, Password: password}})
	assert.NoError(t, err, "AllowInsecureHTTP")
}

func TestRegistered(t *testing.T) {
	assert.Contains(t, auth.Providers(), onsip.Name)

	a, err := auth.Open(onsip.Name, auth.Config{Credentials: auth.Credentials{Username: user}})
	require.Error(t, err)
	assert.True(t, a == nil, "a failed Open returns a nil interface, not a typed nil")

	_, srv := start(t)
	a, err = auth.Open(onsip.Name, auth.Config{Endpoint: srv.URL, Credentials: auth.Credentials{Username: user, Password: password}})
	require.NoError(t, err)
	s, err := a.Session(context.Background())
	require.NoError(t, err)
	assert.Equal(t, onsip.Name, s.Provider)
	require.NoError(t, a.Logout(context.Background()))
	assert.Zero(t, srv.ActiveSessions())
}
