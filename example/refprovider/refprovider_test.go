package refprovider_test

import (
	"context"
	"go/build"
	"net/http"
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/example/refprovider"
)

const password = "correct horse battery staple"

func TestContract(t *testing.T) {
	authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
		srv := refprovider.NewServer("alice", password)
		t.Cleanup(srv.Close)
		cfg.Endpoint = srv.URL
		cfg.Credentials = auth.Credentials{Username: "alice", Password: password}
		a, err := refprovider.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return authtest.Fixture{
			Authenticator: a, Server: srv, Secrets: []auth.Secret{cfg.Credentials.Password}, Config: cfg,
			NewAPIRequest: func(ctx context.Context) (*http.Request, error) {
				return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api", nil)
			},
		}
	})
}

// A provider outside this module can be as complete as a built-in one: the
// ref provider imports no internal package, only auth, auth/provider and
// auth/authtest.
func TestImportsOnlyPublicPackages(t *testing.T) {
	pkg, err := build.Default.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(imp, "/internal/") || strings.HasSuffix(imp, "/internal") {
			t.Errorf("the provider imports %s", imp)
		}
	}
}
