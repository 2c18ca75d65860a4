package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/pbxauth/pbxauth/auth"

	_ "github.com/pbxauth/pbxauth/providers" // registers onsip and ipcortex with auth.Open
)

// runReal signs in to the PBX the flags name: login, cached session, the
// -call API call, logout.
func runReal(ctx context.Context, o options, stdin io.Reader, stderr io.Writer, getenv func(string) string,
	out *printer, logger *slog.Logger, hooks *tally) error {
	base, err := realTransport(o.caFile)
	if err != nil {
		return err
	}
	counter := &countingTransport{next: base}
	open := func(secret auth.Secret) (auth.Authenticator, error) {
		cfg := auth.Config{Endpoint: o.endpoint, HTTPClient: &http.Client{Transport: counter}, Logger: logger,
			AllowInsecureHTTP: o.insecureHTTP, Options: o.providerOptions, Hooks: hooks.hooks(o.provider)}
		cfg.Credentials.Username = o.username
		if o.apiKey {
			cfg.Credentials.APIKey = secret
		} else {
			cfg.Credentials.Password = secret
		}
		a, err := auth.Open(o.provider, cfg)
		if err != nil {
			return nil, &usageError{err}
		}
		return a, nil
	}
	// Open checks the endpoint and the options without a request: check
	// them before asking for a secret that would be typed for nothing.
	if _, err := open(auth.Secret("not-the-secret")); err != nil {
		return err
	}
	env, what := passwordEnv, "password"
	if o.apiKey {
		env, what = apiKeyEnv, "API key"
	}
	secret, err := readSecret(getenv, env, what, stdin, stderr)
	if err != nil {
		return err
	}
	a, err := open(secret)
	if err != nil {
		return err
	}
	if o.insecureHTTP {
		fmt.Fprintf(stderr, "demo: WARNING: -insecure-http: the %s and the session go to %s in clear text:\n"+
			"demo: WARNING: anyone on the network between here and the PBX can read them. Use it only on a network you trust.\n",
			what, o.endpoint)
	}
	t := &target{name: o.provider, auth: a, counter: counter}
	if o.call != "" {
		if t.client, err = auth.NewClient(a, nil); err != nil {
			return err
		}
		authz, ok := a.(auth.Authorizer)
		if !ok {
			return fmt.Errorf("%s: the authenticator cannot make API calls", o.provider)
		}
		t.apiRequest, t.callName = callRequest(o, authz.Endpoint())
	}
	steps, err := t.walk(ctx)
	out.steps(steps)
	return err
}

// callRequest builds the -call request, as parse read it, against
// endpoint, the authenticator's, and names it.
func callRequest(o options, endpoint string) (func(context.Context) (*http.Request, error), string) {
	if form := o.callForm; form != nil {
		return func(ctx context.Context) (*http.Request, error) {
			return onsipRequest(ctx, endpoint, form)
		}, "Action=" + form.Get("Action")
	}
	u := o.callPath
	return func(ctx context.Context) (*http.Request, error) {
		return ipcortexRequest(ctx, endpoint+u.RequestURI())
	}, u.Path
}
