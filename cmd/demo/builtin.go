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

// fake is a built-in test server on loopback holding one account, and what
// the demo needs of it. Its secrets are random and never printed.
type fake struct {
	name   string       // the report's label
	client *http.Client // trusts the server
	// open returns an authenticator for the account, made from cfg.
	open func(cfg auth.Config) (auth.Authenticator, error)
	// apiRequest builds a call to the rest of the vendor's API, described
	// by callName.
	apiRequest func(ctx context.Context) (*http.Request, error)
	callName   string
	forget     func()     // the server drops every session
	logins     func() int // login requests the server received
	live       func() int // sessions the server holds open
	close      func()
}

// target returns an authenticator for the fake's account, and its client,
// over a transport that counts their requests. cfg brings the logger,
// hooks and store.
func (f *fake) target(cfg auth.Config) (*target, error) {
	counter := &countingTransport{next: f.client.Transport}
	cfg.HTTPClient = &http.Client{Transport: counter}
	a, err := f.open(cfg)
	if err != nil {
		return nil, err
	}
	client, err := auth.NewClient(a, nil)
	if err != nil {
		return nil, err
	}
	return &target{name: f.name, auth: a, counter: counter, client: client,
		apiRequest: f.apiRequest, callName: f.callName, forget: f.forget}, nil
}

// startFakes starts the built-in servers: OnSIP, IPCortex with a password,
// and with withKey IPCortex with an API key. stop closes them all.
func startFakes(withKey bool) (fakes []*fake, stop func()) {
	fakes = []*fake{newOnSIPFake(), newIPCortexFake(false)}
	if withKey {
		fakes = append(fakes, newIPCortexFake(true))
	}
	return fakes, func() {
		for _, f := range fakes {
			f.close()
		}
	}
}

func newOnSIPFake() *fake {
	srv := onsiptest.NewServer()
	user, password := "john.doe@example.onsip.com", newSecret()
	srv.AddUser(onsiptest.User{Username: user, Password: password})
	return &fake{
		name:   onsip.Name,
		client: srv.Client(),
		open: func(cfg auth.Config) (auth.Authenticator, error) {
			cfg.Endpoint = srv.URL
			cfg.Credentials = auth.Credentials{Username: user, Password: auth.Secret(password)}
			return onsip.New(cfg)
		},
		apiRequest: func(ctx context.Context) (*http.Request, error) {
			return onsipRequest(ctx, srv.URL, url.Values{"Action": {"UserRead"}})
		},
		callName: "Action=UserRead",
		forget:   srv.ForgetSessions,
		logins:   srv.Logins,
		live:     srv.ActiveSessions,
		close:    srv.Close,
	}
}

func newIPCortexFake(withKey bool) *fake {
	srv := ipcortextest.NewServer()
	password, key := newSecret(), newSecret()
	srv.AddUser(ipcortextest.User{ID: 123, Login: "jane", Password: password, Name: "Jane Doe",
		Company: "acme", Home: "acme", Perms: map[string]string{"calls": "company", "admin": "yes"}})
	srv.AddAPIKey(key, "jane")
	name, creds := ipcortex.Name, auth.Credentials{Username: "jane", Password: auth.Secret(password)}
	if withKey {
		name, creds = ipcortex.Name+" (API key)", auth.Credentials{APIKey: auth.Secret(key)}
	}
	const path = "/rest/call/list"
	return &fake{
		name:   name,
		client: srv.Client(),
		open: func(cfg auth.Config) (auth.Authenticator, error) {
			cfg.Endpoint = srv.URL
			cfg.Credentials = creds
			return ipcortex.New(cfg)
		},
		apiRequest: func(ctx context.Context) (*http.Request, error) {
			return ipcortexRequest(ctx, srv.URL+path)
		},
		callName: path,
		forget:   srv.ForgetSessions,
		logins:   srv.Logins,
		live:     srv.ActiveSessions,
		close:    srv.Close,
	}
}

// onsipRequest builds an OnSIP API call: a form POST to the API's one URL.
func onsipRequest(ctx context.Context, endpoint string, form url.Values) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, err
}

// ipcortexRequest builds an IPCortex REST call: a JSON POST, here with an
// empty object (the provider adds the "auth" object an API key needs).
func ipcortexRequest(ctx context.Context, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(`{}`))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}

// runBuiltin walks every built-in account at once, then runs the fleet
// section. The fleet's store is opened first, so that a Redis that does
// not answer ends the run before anything else.
func runBuiltin(ctx context.Context, o options, out *printer, logger *slog.Logger, hooks *tally) error {
	store, err := openStore(ctx, o.redis, logger)
	if err != nil {
		return err
	}
	if err := walkFakes(ctx, out, logger, hooks); err != nil {
		store.close(ctx)
		return err
	}
	return runFleets(ctx, store, out, logger, hooks)
}

// walkFakes walks one authenticator per built-in account, all at once; the
// reports are printed in a fixed order.
func walkFakes(ctx context.Context, out *printer, logger *slog.Logger, hooks *tally) error {
	fakes, stop := startFakes(true)
	defer stop()
	targets := make([]*target, len(fakes))
	for i, f := range fakes {
		t, err := f.target(auth.Config{Logger: logger.With("target", f.name), Hooks: hooks.hooks(f.name)})
		if err != nil {
			return err
		}
		targets[i] = t
	}
	reports := make([][]step, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	for i, t := range targets {
		g.Go(func() error {
			var err error
			reports[i], err = t.walk(gctx)
			return err
		})
	}
	err := g.Wait()
	for _, r := range reports {
		out.steps(r)
	}
	return err
}
