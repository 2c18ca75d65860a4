package authtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

func testRejectedCredentials(t *testing.T, f *fixture) {
	ctx, a, srv := context.Background(), f.Authenticator, f.Server
	srv.RejectCredentials(true)
	before := srv.Requests()
	_, err := a.Login(ctx)
	requireError(t, err, auth.ErrInvalidCredentials)
	wantRequests(t, srv, before, 1, "Login with refused credentials (never retried)")

	_, err = a.Session(ctx)
	e := requireError(t, err, auth.ErrInvalidCredentials)
	if e.Op != auth.OpSession {
		t.Fatalf("Session's error has Op %q, want %q", e.Op, auth.OpSession)
	}
	srv.RejectCredentials(false)
	_, err = a.Session(ctx)
	requireNoError(t, err, "Session once the credentials are accepted again")
}

func testTransientFailuresSurvived(t *testing.T, f *fixture) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusTooManyRequests, http.StatusGatewayTimeout} {
		before := f.Server.Logins()
		f.Server.FailNext(SuiteRetry.MaxAttempts-1, status)
		_, err := f.Authenticator.Login(context.Background())
		requireNoError(t, err, "Login through transient failures")
		if got := f.Server.Logins() - before; got != SuiteRetry.MaxAttempts {
			t.Fatalf("Login through %d answers: %d login requests, want %d", status, got, SuiteRetry.MaxAttempts)
		}
	}
}

// testDroppedLoginRetried: a login is safe to repeat, so a connection lost
// after it was sent is tried again.
func testDroppedLoginRetried(t *testing.T, f *fixture) {
	before := f.Server.Logins()
	f.Server.DropNext(SuiteRetry.MaxAttempts - 1)
	_, err := f.Authenticator.Login(context.Background())
	requireNoError(t, err, "Login through dropped connections")
	if got := f.Server.Logins() - before; got != SuiteRetry.MaxAttempts {
		t.Fatalf("Login through dropped connections: %d login requests, want %d", got, SuiteRetry.MaxAttempts)
	}
}

// testRetryAfterBeyondPolicy: a server asking for a longer wait than the
// policy allows is not retried sooner, and the error carries the wait.
func testRetryAfterBeyondPolicy(t *testing.T, f *fixture) {
	f.Server.FailNextRetryAfter(1, http.StatusServiceUnavailable, time.Minute)
	before := f.Server.Requests()
	_, err := f.Authenticator.Login(context.Background())
	e := requireError(t, err, auth.ErrUnavailable)
	wantRequests(t, f.Server, before, 1, "Login answered 503 with Retry-After: 60 (MaxDelay 5 ms)")
	if e.RetryAfter != time.Minute {
		t.Fatalf("the error's RetryAfter is %v, want the server's 1m0s", e.RetryAfter)
	}
}

// testNilContext: a nil context is an error, never a panic.
func testNilContext(t *testing.T, f *fixture) {
	var nilCtx context.Context
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("a nil context panicked: %v", r)
		}
	}()
	_, err := f.Authenticator.Login(nilCtx)
	requireError(t, err, auth.ErrProtocol)
	_, err = f.Authenticator.Session(nilCtx)
	requireError(t, err, auth.ErrProtocol)
	requireError(t, f.Authenticator.Logout(nilCtx), auth.ErrProtocol)
}

func testPersistentFailure(t *testing.T, f *fixture) {
	f.Server.FailNext(SuiteRetry.MaxAttempts, http.StatusServiceUnavailable)
	before := f.Server.Requests()
	_, err := f.Authenticator.Login(context.Background())
	e := requireError(t, err, auth.ErrUnavailable)
	if e.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("error's StatusCode is %d, want 503", e.StatusCode)
	}
	wantRequests(t, f.Server, before, SuiteRetry.MaxAttempts, "Login against a server that stays down")

	for _, status := range []int{http.StatusBadRequest, http.StatusNotFound, http.StatusInternalServerError} {
		f.Server.FailNext(1, status)
		before := f.Server.Requests()
		_, err := f.Authenticator.Login(context.Background())
		if err == nil {
			t.Fatalf("Login answered HTTP %d succeeded", status)
		}
		wantRequests(t, f.Server, before, 1, http.StatusText(status)+" is not retried")
	}
}

// budgetRounds bounds the failing logins the budget test makes: the budget
// (500 tokens, 5 a retry) allows 100 retries, 50 logins of 2 retries each.
const budgetRounds = 200

func testRetryBudgetFailsFast(t *testing.T, f *fixture) {
	f.Server.FailNext(1<<30, http.StatusServiceUnavailable)
	for round := range budgetRounds {
		before := f.Server.Requests()
		_, err := f.Authenticator.Login(context.Background())
		requireError(t, err, auth.ErrUnavailable)
		if f.Server.Requests()-before == 1 {
			// Spent: from now on each failure costs one request, at once.
			start := time.Now()
			before = f.Server.Requests()
			_, err = f.Authenticator.Login(context.Background())
			requireError(t, err, auth.ErrUnavailable)
			wantRequests(t, f.Server, before, 1, "Login with the retry budget spent")
			if took := time.Since(start); took > 500*time.Millisecond {
				t.Fatalf("Login with the budget spent took %v, want at once", took)
			}
			if round < 10 {
				t.Fatalf("the retry budget ran out after %d logins: too small to ride out a blip", round)
			}
			if f.hooks.count("budget spent") == 0 {
				t.Fatal("the retry budget ran out and Hooks.BudgetSpent was not called")
			}
			return
		}
	}
	t.Fatalf("after %d failing logins the retry budget is still not spent", budgetRounds)
}

func testMalformedAnswer(t *testing.T, f *fixture) {
	f.Server.GarbageNext(1)
	before := f.Server.Requests()
	_, err := f.Authenticator.Login(context.Background())
	requireError(t, err, auth.ErrProtocol)
	wantRequests(t, f.Server, before, 1, "Login answered with garbage (never retried)")
	_, err = f.Authenticator.Login(context.Background())
	requireNoError(t, err, "Login after the garbage")
}

func testOversizedAnswer(t *testing.T, f *fixture) {
	f.Server.OversizeNext(1)
	_, err := f.Authenticator.Login(context.Background())
	requireError(t, err, auth.ErrProtocol)
}
