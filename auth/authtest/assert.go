package authtest

import (
	"context"
	"errors"
	"fmt"
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
// other of the outcomes. It returns the *auth.Error. Its messages describe
// err by shape, never by its text, which a failing provider may have
// filled with a secret.
func requireError(t *testing.T, err, want error) *auth.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %s is not an *auth.Error", shape(err))
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %s does not hold %v", shape(err), want)
	}
	for _, o := range outcomes {
		if o != want && errors.Is(err, o) {
			t.Fatalf("error %s holds %v as well as %v: want exactly one", shape(err), o, want)
		}
	}
	if ae.Provider == "" || ae.Op == "" {
		t.Fatalf("error %s has no Provider or Op", shape(err))
	}
	return ae
}

// requireNoError fails t on err, described by shape only.
func requireNoError(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: error %s", what, shape(err))
	}
}

// shape describes err without its text: its type, and for an *auth.Error
// its Provider, Op, status and the outcomes it holds.
func shape(err error) string {
	var held []string
	for _, o := range outcomes {
		if errors.Is(err, o) {
			held = append(held, o.Error())
		}
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		return fmt.Sprintf("(%T, holding %q)", err, held)
	}
	return fmt.Sprintf("(%T: Provider %q, Op %q, HTTP %d, holding %q)", err, ae.Provider, ae.Op, ae.StatusCode, held)
}

// checkNoSecret fails t if text holds any of the secrets, in any form a
// server might echo it. The message names where and which secret (by its
// position), never the secret or the text.
func checkNoSecret(t *testing.T, where, text string, secrets []auth.Secret) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && provider.Contains(text, s) {
			t.Errorf("%s holds secret #%d (%d bytes long) in some form", where, i, len(s))
		}
	}
}

// wantRequests fails t unless the server got want requests since before.
func wantRequests(t *testing.T, srv Server, before, want int, what string) {
	t.Helper()
	if got := srv.Requests() - before; got != want {
		t.Fatalf("%s: server got %d requests, want %d", what, got, want)
	}
}
