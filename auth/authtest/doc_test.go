package authtest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// TestDocSample is the package documentation's sample, as it is written
// there, so that pasting it works.
func TestDocSample(t *testing.T) {
	authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
		srv := onsiptest.NewServer()
		t.Cleanup(srv.Close)
		srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "pw"})
		cfg.Endpoint = srv.URL
		cfg.Credentials = auth.Credentials{Username: "john.doe@example.onsip.com", Password: "pw"}
		a, err := onsip.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return authtest.Fixture{
			Authenticator: a,
			Server:        srv,
			Secrets:       []auth.Secret{"pw"},
			Config:        cfg,
			NewAPIRequest: func(ctx context.Context) (*http.Request, error) {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL,
					strings.NewReader("Action=UserRead"))
				if err == nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				return req, err
			},
		}
	})
}
