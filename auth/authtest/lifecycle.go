package authtest

import (
	"context"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

func testLifecycle(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server

	s, err := a.Login(ctx)
	requireNoError(t, err, "Login")
	if s == nil || s.Provider == "" || s.IssuedAt.IsZero() {
		t.Fatalf("Login returned an incomplete session: %+v", s)
	}
	if srv.Logins() != 1 {
		t.Fatalf("Login: server saw %d logins, want 1", srv.Logins())
	}

	before := srv.Requests()
	for range 3 {
		again, err := a.Session(ctx)
		requireNoError(t, err, "Session after Login")
		if again != s {
			t.Fatal("Session did not return the session Login opened")
		}
	}
	wantRequests(t, srv, before, 0, "Session with a session held")

	before = srv.Requests()
	requireNoError(t, a.Logout(ctx), "Logout")
	if s.Stateless() {
		wantRequests(t, srv, before, 0, "Logout of a stateless session")
	} else {
		if srv.Logouts() != 1 {
			t.Fatalf("Logout: server saw %d logouts, want 1", srv.Logouts())
		}
		if n := srv.ActiveSessions(); n != 0 {
			t.Fatalf("after Logout the server still holds %d sessions", n)
		}
	}

	next, err := a.Session(ctx)
	requireNoError(t, err, "Session after Logout")
	if next == s {
		t.Fatal("Session after Logout returned the ended session")
	}
	if srv.Logins() != 2 {
		t.Fatalf("Session after Logout: server saw %d logins in all, want 2", srv.Logins())
	}

	// Login replaces what is held.
	replaced, err := a.Login(ctx)
	requireNoError(t, err, "second Login")
	if got, _ := a.Session(ctx); got != replaced {
		t.Fatal("Session after a second Login did not return the new session")
	}
	requireNoError(t, a.Logout(ctx), "final Logout")
	wantLive(t, srv, 0, "after the final Logout")
}

// testOneLiveSession: an account never keeps two sessions open at the
// vendor, whether a session is replaced by Login, forgotten by the vendor,
// or recovered by auth.NewClient.
func testOneLiveSession(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server
	for range 3 {
		_, err := a.Login(ctx)
		requireNoError(t, err, "Login")
	}
	wantLive(t, srv, 1, "after three Logins")
	requireNoError(t, a.Logout(ctx), "Logout")
	wantLive(t, srv, 0, "after Login twice and Logout")

	if c := newClient(t, f); c != nil {
		requireNoError(t, callAPI(t, f, c), "API call")
		srv.ForgetSessions()
		requireNoError(t, callAPI(t, f, c), "API call after the vendor forgot the session")
		wantLive(t, srv, 1, "after the client logged in again")
		requireNoError(t, a.Logout(ctx), "Logout")
		wantLive(t, srv, 0, "after Logout")
	}
}

// wantLive fails t unless the server holds at most want open sessions (a
// stateless provider holds none).
func wantLive(t *testing.T, srv Server, want int, when string) {
	t.Helper()
	if n := srv.ActiveSessions(); n > want {
		t.Fatalf("%s the server holds %d live sessions of the account, want %d", when, n, want)
	}
}

func testLogoutWithNothingHeld(t *testing.T, f *fixture) {
	before := f.Server.Requests()
	requireNoError(t, f.Authenticator.Logout(context.Background()), "Logout with nothing held")
	wantRequests(t, f.Server, before, 0, "Logout with nothing held")
}

func testLogoutOfForgottenSession(t *testing.T, f *fixture) {
	ctx, a := context.Background(), f.Authenticator
	_, err := a.Login(ctx)
	requireNoError(t, err, "Login")
	f.Server.ForgetSessions()
	requireNoError(t, a.Logout(ctx), "Logout of a session the server forgot (already gone counts as success)")
	before := f.Server.Logins()
	_, err = a.Session(ctx)
	requireNoError(t, err, "Session after Logout")
	if f.Server.Logins() != before+1 {
		t.Fatal("Session after a successful Logout did not log in again")
	}
}

func testFailedLogoutKeepsSession(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server
	s, err := a.Login(ctx)
	requireNoError(t, err, "Login")
	// Every try of the Logout fails; the server is back after them.
	srv.FailNext(SuiteRetry.MaxAttempts, 503)
	err = a.Logout(ctx)
	if s.Stateless() {
		// Nothing to end at the provider: no request, no failure.
		requireNoError(t, err, "Logout of a stateless session")
		return
	}
	requireError(t, err, auth.ErrUnavailable)

	held, err := a.Session(ctx)
	requireNoError(t, err, "Session after a failed Logout")
	if held != s {
		t.Fatal("a failed Logout dropped the session: Session returned another")
	}
	requireNoError(t, a.Logout(ctx), "Logout once the server is back")
}

func testSessionTTL(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server
	s, err := a.Session(ctx)
	requireNoError(t, err, "Session")
	if s.ExpiresAt.IsZero() {
		t.Fatal("with Config.SessionTTL set, the session has no ExpiresAt")
	}
	if !s.ExpiresAt.Equal(s.IssuedAt.Add(ttlForTest)) {
		t.Fatalf("ExpiresAt is %v after IssuedAt, want the SessionTTL %v", s.ExpiresAt.Sub(s.IssuedAt), ttlForTest)
	}
	again, err := a.Session(ctx)
	requireNoError(t, err, "Session before expiry")
	if again != s || srv.Logins() != 1 {
		t.Fatal("Session before expiry did not serve the held session")
	}
	// From RefreshAt (ExpiresAt less the expiry window) the session is not
	// served.
	time.Sleep(time.Until(s.RefreshAt().Add(5 * time.Millisecond)))
	fresh, err := a.Session(ctx)
	requireNoError(t, err, "Session after expiry")
	if fresh == s || srv.Logins() != 2 {
		t.Fatalf("Session within the expiry window: got the old session or %d logins, want a new login", srv.Logins())
	}
	wantLive(t, srv, 1, "after the expired session was replaced")
}

// testShortSessionTTL: a short SessionTTL shrinks the expiry window rather
// than making every call log in.
func testShortSessionTTL(t *testing.T, f *fixture) {
	for range 100 {
		_, err := f.Authenticator.Session(context.Background())
		requireNoError(t, err, "Session")
	}
	if n := f.Server.Logins(); n != 1 {
		t.Fatalf("100 Session calls under a 2 s SessionTTL made %d logins, want 1", n)
	}
}
