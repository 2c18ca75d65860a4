package authtest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// Fixture is what a [MakeFixture] returns for one subtest.
type Fixture struct {
	// Authenticator under test, talking to Server only. To be tested with
	// auth.NewClient it must be an auth.Authorizer.
	Authenticator auth.Authenticator
	// Server is the fake provider Authenticator talks to.
	Server Server
	// Secrets are the password or API key Authenticator was given. The suite
	// adds every session ID it sees, and checks that none appears in an
	// error, a log line or printed value, in any form a server might echo.
	Secrets []auth.Secret
	// Config is the configuration Authenticator was made from: the suite
	// prints it to look for secrets, and builds auth.NewClient on its
	// HTTPClient.
	Config auth.Config
	// NewAPIRequest returns a request to the vendor's other API that the
	// server answers only with a valid session. It is required when
	// Authenticator is an auth.Authorizer: the suite then tests
	// auth.NewClient's transparent re-login with it.
	NewAPIRequest func(ctx context.Context) (*http.Request, error)
}

// MakeFixture starts a fresh fake server and returns an authenticator for it
// made from cfg, with cfg's Endpoint and Credentials filled in and every
// other field kept: the suite sets Retry, Logger, Hooks, SessionTTL and, in
// one subtest, an HTTPClient whose transport panics. When cfg has no
// HTTPClient, MakeFixture may set one the server needs (a TLS server's, to
// trust its certificate). It registers its clean-up with t.Cleanup and
// fails t on error.
type MakeFixture func(t *testing.T, cfg auth.Config) Fixture

// SuiteRetry is the retry policy the suite gives every authenticator: short
// waits, so retries are seen without slowing the suite.
var SuiteRetry = auth.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// Run runs the contract suite, each subtest with a fresh fixture from mk.
func Run(t *testing.T, mk MakeFixture) {
	t.Helper()
	for _, tc := range []struct {
		name  string
		run   func(*testing.T, *fixture)
		tweak func(*auth.Config) // changes to the suite's config, if any
	}{
		{"Lifecycle", testLifecycle, nil},
		{"OneLiveSession", testOneLiveSession, nil},
		{"LogoutWithNothingHeld", testLogoutWithNothingHeld, nil},
		{"LogoutOfForgottenSession", testLogoutOfForgottenSession, nil},
		{"FailedLogoutKeepsSession", testFailedLogoutKeepsSession, nil},
		{"SessionTTL", testSessionTTL, func(c *auth.Config) { c.SessionTTL = ttlForTest }},
		{"ShortSessionTTL", testShortSessionTTL, func(c *auth.Config) { c.SessionTTL = 2 * time.Second }},
		{"StampedeOneLogin", testStampedeOneLogin, nil},
		{"PanickingTransport", testPanickingTransport, withPanickingTransport},
		{"CancelledWaiter", testCancelledWaiter, nil},
		{"CancelledBeforeLogin", testCancelledBeforeLogin, nil},
		{"DeadlineOnSlowServer", testDeadlineOnSlowServer, nil},
		{"NilContext", testNilContext, nil},
		{"RejectedCredentials", testRejectedCredentials, nil},
		{"TransientFailuresSurvived", testTransientFailuresSurvived, nil},
		{"DroppedLoginRetried", testDroppedLoginRetried, nil},
		{"PersistentFailureIsUnavailable", testPersistentFailure, nil},
		{"RetryAfterBeyondPolicy", testRetryAfterBeyondPolicy, nil},
		{"RetryBudgetFailsFast", testRetryBudgetFailsFast, nil},
		{"MalformedAnswer", testMalformedAnswer, nil},
		{"OversizedAnswer", testOversizedAnswer, nil},
		{"NoSecretsLeak", testNoSecretsLeak, nil},
		{"HostileEchoes", testHostileEchoes, nil},
		{"Hooks", testHooks, nil},
		{"Churn", testChurn, nil},
		{"ClientRelogin", testClientRelogin, nil},
		{"ClientLeavesRequestAlone", testClientLeavesRequestAlone, nil},
		{"ClientKeepsCredentialsOnOrigin", testClientKeepsCredentialsOnOrigin, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.run(t, newFixture(t, mk, tc.tweak))
		})
	}
}

// fixture is a Fixture with the suite's log capture and hook counts.
type fixture struct {
	Fixture
	logs  *syncBuffer
	hooks *hookLog
}

// ttlForTest is the SessionTTL the suite sets in SessionTTL: short enough
// to watch it end (its expiry window is a quarter of it).
const ttlForTest = 400 * time.Millisecond

func newFixture(t *testing.T, mk MakeFixture, tweak func(*auth.Config)) *fixture {
	logs, hooks := new(syncBuffer), new(hookLog)
	cfg := auth.Config{
		Retry:  SuiteRetry,
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Hooks:  hooks.hooks(),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	f := mk(t, cfg)
	if f.Authenticator == nil || f.Server == nil {
		t.Fatal("authtest: MakeFixture returned no Authenticator or no Server")
	}
	return &fixture{Fixture: f, logs: logs, hooks: hooks}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
