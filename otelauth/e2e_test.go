package otelauth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// TestEndToEnd signs in for real, through the OnSIP provider and its fake
// server, with the hooks in auth.Config, and checks what the providers
// recorded: the core fires the hooks, this package turns them into
// telemetry.
func TestEndToEnd(t *testing.T) {
	tel := newTelemetry(t)
	srv := onsiptest.NewServer()
	defer srv.Close()
	tn := newTenant("onsip", srv.URL)
	srv.AddUser(onsiptest.User{Username: tn.username, Password: tn.password.Reveal()})
	a, err := onsip.New(auth.Config{
		Endpoint:    srv.URL,
		Credentials: auth.Credentials{Username: tn.username, Password: tn.password},
		Retry:       auth.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
		Hooks:       tel.hooks,
	})
	require.NoError(t, err)
	ctx, caller := tel.caller()

	first, err := a.Login(ctx)
	require.NoError(t, err, "first login")
	srv.FailNext(1, http.StatusServiceUnavailable) // one retry, then a new session replaces the first
	second, err := a.Login(ctx)
	require.NoError(t, err, "login after a 503")
	srv.RejectCredentials(true)
	_, err = a.Login(ctx)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	srv.RejectCredentials(false)
	require.NoError(t, a.Logout(ctx))
	caller.End()

	// The secrets first: the assertions below print attribute sets when
	// they fail, which must then hold none.
	secrets := append(tn.secrets(), first.ID.Reveal(), second.ID.Reveal())
	for _, leak := range leaks(tel.recorded(t), secrets) {
		t.Error(leak)
	}
	if t.Failed() {
		t.FailNow()
	}

	ms := tel.metrics(t)
	for _, name := range []string{"pbxauth.logins", "pbxauth.login.duration", "pbxauth.active_logins",
		"pbxauth.logouts", "pbxauth.retries"} {
		_, ok := ms[name]
		require.Truef(t, ok, "nothing recorded in %s: the core fires no hooks", name)
	}
	assert.Equal(t, map[string]int64{
		"pbxauth.login.reason=explicit,pbxauth.login.renewed=false,pbxauth.outcome=success,pbxauth.provider=onsip,": 2,
		"error.type=invalid_credentials,pbxauth.login.reason=explicit,pbxauth.login.renewed=false," +
			"pbxauth.outcome=invalid_credentials,pbxauth.provider=onsip,": 1,
	}, counts(t, ms["pbxauth.logins"]))
	var durations uint64
	for _, p := range histogram(t, ms["pbxauth.login.duration"]) {
		durations += p.Count
	}
	assert.Equal(t, uint64(3), durations, "one duration per login")
	for set, n := range counts(t, ms["pbxauth.active_logins"]) {
		assert.Zerof(t, n, "logins still under way in %s", set)
	}
	var retries503 int64
	for set, n := range counts(t, ms["pbxauth.retries"]) {
		if strings.Contains(set, "http.response.status_code=503,") && strings.Contains(set, "pbxauth.operation=login,") {
			retries503 += n
		}
	}
	assert.Equal(t, int64(1), retries503, "the 503 was retried once")
	logouts := counts(t, ms["pbxauth.logouts"])
	assert.Equal(t, int64(1), logouts["pbxauth.logout.reason=explicit,pbxauth.outcome=success,pbxauth.provider=onsip,"])
	var logoutsDone int64
	for _, n := range logouts {
		logoutsDone += n
	}
	assert.Equal(t, int64(srv.Logouts()), logoutsDone, "one LogoutDone per SessionDestroy the vendor got")

	var logins, failed, withRetry, logoutSpans int
	for _, s := range tel.spans.Ended() {
		switch s.Name() {
		case "pbxauth.login":
			logins++
			assert.Equal(t, caller.SpanContext().SpanID(), s.Parent().SpanID(), "a login is a child of the caller's span")
			assert.NotEmpty(t, attrsOf(s.Attributes())["pbxauth.account"], "the account key is on the span")
			if s.Status().Code == codes.Error {
				failed++
				assert.Equal(t, "invalid_credentials", s.Status().Description)
			}
			if hasEvent(s, "pbxauth.retry") {
				withRetry++
			}
		case "pbxauth.logout":
			logoutSpans++
			assert.Equal(t, caller.SpanContext().TraceID(), s.SpanContext().TraceID(), "a logout is in the caller's trace")
		}
	}
	assert.Equal(t, 3, logins, "login spans")
	assert.Equal(t, 1, failed, "failed login spans")
	assert.Equal(t, 1, withRetry, "login spans with a retry event")
	assert.Equal(t, int(logoutsDone), logoutSpans, "one span per logout")
}

func hasEvent(s sdktrace.ReadOnlySpan, name string) bool {
	for _, e := range s.Events() {
		if e.Name == name {
			return true
		}
	}
	return false
}
