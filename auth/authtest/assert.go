package authtest

import (
	"context"
	"errors"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// outcomes are the errors exactly one of which every failure must hold.
var outcomes = []error{
	auth.ErrInvalidCredentials, auth.ErrSessionExpired, auth.ErrUnavailable, auth.ErrProtocol,
	context.Canceled, context.DeadlineExceeded,
}

// requireError fails t unless err is an *auth.Error holding want and no
// other of the outcomes. It returns the *auth.Error.
func requireError(t *testing.T, err, want error) *auth.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error is a %T, not an *auth.Error: %v", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %q does not hold %v", err, want)
	}
	for _, o := range outcomes {
		if o != want && errors.Is(err, o) {
			t.Fatalf("error %q holds %v as well as %v: want exactly one", err, o, want)
		}
	}
	if ae.Provider == "" || ae.Op == "" {
		t.Fatalf("error %q has no Provider or Op", err)
	}
	return ae
}

// requireNoError fails t on err without printing anything of a session.
func requireNoError(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// checkNoSecret fails t if text holds any of the secrets, in any form a
// server might echo it. The message names where and which secret (by its
// position), never the secret or the text.
func checkNoSecret(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && provider.Contains(text, auth.Secret(s)) {
			t.Errorf("%s holds secret #%d (%d bytes long) in some form", where, i, len(s))
		}
	}
}

// checkNoSecretForm is checkNoSecret for auth.Secret values.
func checkNoSecretForm(t *testing.T, where, text string, secrets []auth.Secret) {
	t.Helper()
	plain := make([]string, len(secrets))
	for i, s := range secrets {
		plain[i] = s.Reveal()
	}
	checkNoSecret(t, where, text, plain)
}

// wantRequests fails t unless the server got want requests since before.
func wantRequests(t *testing.T, srv Server, before, want int, what string) {
	t.Helper()
	if got := srv.Requests() - before; got != want {
		t.Fatalf("%s: server got %d requests, want %d", what, got, want)
	}
}
