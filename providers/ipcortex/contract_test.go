package ipcortex_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// TestContract runs the suite every provider must pass, in each way of
// signing in: a password session, an API key in the body, an API key in the
// header, and a password session over TLS.
func TestContract(t *testing.T) {
	for _, mode := range []struct {
		name   string
		tls    bool
		key    bool
		option []ipcortex.Option
	}{
		{name: "Password"},
		{name: "KeyInBody", key: true},
		{name: "KeyInHeader", key: true, option: []ipcortex.Option{ipcortex.KeyInHeader()}},
		{name: "PasswordTLS", tls: true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
				srv := ipcortextest.NewServer
				if mode.tls {
					srv = ipcortextest.NewTLSServer
				}
				s := srv()
				t.Cleanup(s.Close)
				addAlice(s)
				cfg.Endpoint = s.URL
				if cfg.HTTPClient == nil { // the suite's own client is kept
					cfg.HTTPClient = s.Client()
				}
				cfg.Credentials = auth.Credentials{Username: aliceLogin, Password: alicePassword}
				if mode.key {
					cfg.Credentials = auth.Credentials{APIKey: aliceKey}
				}
				a := mustNew(t, cfg, mode.option...)
				secret := cfg.Credentials.Password
				if mode.key {
					secret = cfg.Credentials.APIKey
				}
				return authtest.Fixture{
					Authenticator: a, Server: s, Secrets: []auth.Secret{secret}, Config: cfg,
					NewAPIRequest: func(ctx context.Context) (*http.Request, error) {
						// A JSON object body: in KeyInBody mode the key goes into it.
						req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/rest/call/list",
							strings.NewReader(`{"filter":{"state":"ringing"}}`))
						if err == nil {
							req.Header.Set("Content-Type", "application/json")
						}
						return req, err
					},
				}
			})
		})
	}
}
