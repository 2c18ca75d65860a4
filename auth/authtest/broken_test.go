package authtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
)

// The suite must be able to fail. Each breakage below is a bug a provider
// could have; TestSuiteCatchesBrokenProviders runs the suite on the ref
// provider with that bug, in a child test process, and wants the named
// subtest to fail.

// breakEnv names the breakage the child process applies.
const breakEnv = "AUTHTEST_BREAKAGE"

var breakages = map[string]string{ // breakage -> subtest that must catch it
	"leak-password":     "NoSecretsLeak",
	"no-shared-login":   "StampedeOneLogin",
	"wrong-sentinel":    "RejectedCredentials",
	"forget-on-failure": "FailedLogoutKeepsSession",
	"no-relogin":        "ClientRelogin",
}

// broken wraps the ref authenticator with the breakage named in the
// environment, if any.
type broken struct {
	*refAuth
	breakage string
}

func (b broken) Login(ctx context.Context) (*auth.Session, error) {
	s, err := b.refAuth.Login(ctx)
	var e *auth.Error
	if errors.As(err, &e) && errors.Is(err, auth.ErrInvalidCredentials) {
		switch b.breakage {
		case "leak-password":
			e.Message = "refused password " + password
		case "wrong-sentinel":
			e.Err = auth.ErrProtocol
		}
	}
	return s, err
}

func (b broken) Session(ctx context.Context) (*auth.Session, error) {
	if b.breakage == "no-shared-login" {
		return b.refAuth.Login(ctx)
	}
	return b.refAuth.Session(ctx)
}

func (b broken) Logout(ctx context.Context) error {
	err := b.refAuth.Logout(ctx)
	if err != nil && b.breakage == "forget-on-failure" {
		b.refAuth.Invalidate(b.refAuth.Held())
	}
	return err
}

func (b broken) Invalidate(s *auth.Session) bool {
	if b.breakage == "no-relogin" {
		return false
	}
	return b.refAuth.Invalidate(s)
}

func TestSuiteCatchesBrokenProviders(t *testing.T) {
	if os.Getenv(breakEnv) != "" {
		return // in the child: TestReferenceProvider does the work
	}
	for breakage, subtest := range breakages {
		t.Run(breakage, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestReferenceProvider$/^"+subtest+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), breakEnv+"="+breakage)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a provider with breakage %q (subtest %s): %v", breakage, subtest, err)
			}
			if !containsFail(out, subtest) {
				t.Fatalf("breakage %q did not fail subtest %s:\n%s", breakage, subtest, out)
			}
		})
	}
}

func containsFail(out []byte, subtest string) bool {
	return bytes.Contains(out, []byte("--- FAIL: TestReferenceProvider/"+subtest))
}
