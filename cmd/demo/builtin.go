package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// newSecret makes the test accounts' passwords and keys; tests replace it
// to learn them.
var newSecret = rand.Text

// runBuiltin starts a test server per target on loopback and walks every
// target at once. The accounts' secrets are random and never printed.
func runBuiltin(ctx context.Context, out *printer, logger *slog.Logger) error {
	var targets []*target
	for _, start := range []func(*slog.Logger) (*target, func(), error){
		startOnSIP, startIPCortex(false), startIPCortex(true),
	} {
		t, stop, err := start(logger)
		if err != nil {
			return err
		}
		defer stop()
		targets = append(targets, t)
	}
	// Every target at once; the reports are printed in a fixed order.
	reports := make([][]step, len(targets))
	g, ctx := errgroup.WithContext(ctx)
	for i, t := range targets {
		g.Go(func() error {
			var err error
			reports[i], err = t.walk(ctx)
			return err
		})
	}
	err := g.Wait()
	for _, r := range reports {
		out.steps(r)
	}
	return err
}

// newTarget wires an authenticator made by open, and its client, to a
// transport that counts their requests.
func newTarget(name string, base *http.Client, logger *slog.Logger, open func(auth.Config) (auth.Authenticator, error)) (*target, error) {
	counter := &countingTransport{next: base.Transport}
	a, err := open(auth.Config{HTTPClient: &http.Client{Transport: counter}, Logger: logger.With("target", name)})
	if err != nil {
		return nil, err
	}
	client, err := auth.NewClient(a, &http.Client{Transport: counter})
	if err != nil {
		return nil, err
	}
	return &target{name: name, auth: a, counter: counter, client: client}, nil
}

func startOnSIP(logger *slog.Logger) (*target, func(), error) {
	srv := onsiptest.NewServer()
	user, password := "john.doe@example.onsip.com", newSecret()
	srv.AddUser(onsiptest.User{Username: user, Password: password})
	t, err := newTarget("onsip", srv.Client(), logger, func(cfg auth.Config) (auth.Authenticator, error) {
		cfg.Endpoint = srv.URL
		cfg.Credentials = auth.Credentials{Username: user, Password: auth.Secret(password)}
		return onsip.New(cfg)
	})
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	t.forget = srv.ForgetSessions
	t.apiRequest = func(ctx context.Context) (*http.Request, error) {
		form := url.Values{"Action": {"UserRead"}}.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader(form))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		return req, err
	}
	return t, srv.Close, nil
}

func startIPCortex(withKey bool) func(*slog.Logger) (*target, func(), error) {
	return func(logger *slog.Logger) (*target, func(), error) {
		srv := ipcortextest.NewServer()
		password, key := newSecret(), newSecret()
		srv.AddUser(ipcortextest.User{ID: 123, Login: "jane", Password: password, Name: "Jane Doe",
			Company: "acme", Home: "acme", Perms: map[string]string{"calls": "company", "admin": "yes"}})
		srv.AddAPIKey(key, "jane")
		name, creds := "ipcortex", auth.Credentials{Username: "jane", Password: auth.Secret(password)}
		if withKey {
			name, creds = "ipcortex (API key)", auth.Credentials{APIKey: auth.Secret(key)}
		}
		t, err := newTarget(name, srv.Client(), logger, func(cfg auth.Config) (auth.Authenticator, error) {
			cfg.Endpoint = srv.URL
			cfg.Credentials = creds
			return ipcortex.New(cfg)
		})
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		t.forget = srv.ForgetSessions
		t.apiRequest = func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/rest/call/list", strings.NewReader(`{}`))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}
		return t, srv.Close, nil
	}
}
