package authtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/example/refprovider"
)

// The suite must be able to fail. Each breakage below is a bug a provider
// could have; TestSuiteCatchesBrokenProviders runs the suite on the ref
// provider with that bug, in a child test process, and wants the named
// subtest to fail. TestReferenceProvider, with no breakage, must pass.

// breakEnv names the breakage the child process applies.
const breakEnv = "AUTHTEST_BREAKAGE"

var breakages = map[string]string{ // breakage -> subtest that must catch it
	"leak-password":       "NoSecretsLeak",
	"leak-echoed-message": "HostileEchoes",
	"no-shared-login":     "StampedeOneLogin",
	"wrong-sentinel":      "RejectedCredentials",
	"forget-on-failure":   "FailedLogoutKeepsSession",
	"no-relogin":          "ClientRelogin",
	"orphan-on-login":     "OneLiveSession",
	"plain-session-error": "PanickingTransport",
}

const password = "correct horse battery staple"

// broken is the ref provider with one bug.
type broken struct {
	*refprovider.Authenticator
	breakage string
	srv      *refprovider.Server
}

func (b broken) Login(ctx context.Context) (*auth.Session, error) {
	if b.breakage == "orphan-on-login" {
		// Opens a session of its own behind the cache's back and holds
		// on to nothing: the vendor keeps it open.
		_, _ = http.Post(b.srv.URL+"/login", "application/json",
			bytes.NewReader([]byte(`{"user":"alice","password":"`+password+`"}`)))
	}
	s, err := b.Authenticator.Login(ctx)
	var e *auth.Error
	if errors.As(err, &e) && errors.Is(err, auth.ErrInvalidCredentials) {
		switch b.breakage {
		case "leak-password":
			e.Message = "refused password " + password
		case "wrong-sentinel":
			e.Err = auth.ErrProtocol
		}
	}
	if errors.As(err, &e) && b.breakage == "leak-echoed-message" {
		e.Message = "the server said: " + e.Message + " " + password
	}
	return s, err
}

func (b broken) Session(ctx context.Context) (*auth.Session, error) {
	if b.breakage == "no-shared-login" {
		return b.Authenticator.Login(ctx)
	}
	s, err := b.Authenticator.Session(ctx)
	if err != nil && b.breakage == "plain-session-error" {
		// Loses the *auth.Error and its sentinel.
		return nil, fmt.Errorf("ref: no session: %s", err.Error())
	}
	return s, err
}

func (b broken) Logout(ctx context.Context) error {
	err := b.Authenticator.Logout(ctx)
	if err != nil && b.breakage == "forget-on-failure" {
		_, _ = b.Authenticator.Login(ctx) // drops the session it failed to end
	}
	return err
}

func (b broken) Refresh(ctx context.Context, s *auth.Session) (*auth.Session, error) {
	if b.breakage == "no-relogin" {
		return s, nil
	}
	return b.Authenticator.Refresh(ctx, s)
}

func TestReferenceProvider(t *testing.T) {
	authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
		srv := refprovider.NewServer("alice", password)
		t.Cleanup(srv.Close)
		cfg.Endpoint = srv.URL
		cfg.Credentials = auth.Credentials{Username: "alice", Password: password}
		ref, err := refprovider.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		a := broken{Authenticator: ref, breakage: os.Getenv(breakEnv), srv: srv}
		return authtest.Fixture{
			Authenticator: a, Server: srv, Secrets: []auth.Secret{cfg.Credentials.Password}, Config: cfg,
			NewAPIRequest: func(ctx context.Context) (*http.Request, error) {
				return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api", nil)
			},
		}
	})
}

func TestSuiteCatchesBrokenProviders(t *testing.T) {
	catchesBreakages(t, breakEnv, "TestReferenceProvider", breakages)
}

// catchesBreakages runs, for each breakage, the subtest of test that must
// catch it in a child test process with env naming the breakage, and fails
// t unless that subtest fails there. In the child it does nothing: test
// does the work.
func catchesBreakages(t *testing.T, env, test string, breakages map[string]string) {
	if os.Getenv(env) != "" {
		return
	}
	for breakage, subtest := range breakages {
		t.Run(breakage, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$/^"+subtest+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), env+"="+breakage)
			// The suites never print a secret: their output is safe to show.
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed breakage %q (subtest %s): %v\n%s", breakage, subtest, err, out)
			}
			if !bytes.Contains(out, []byte("--- FAIL: "+test+"/"+subtest)) {
				t.Fatalf("breakage %q did not fail subtest %s:\n%s", breakage, subtest, out)
			}
		})
	}
}
