package otelauth_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/pbxauth/pbxauth/auth"
)

// account is the key the hooks get for the account, as the core makes it:
// a hash, never a username.
const account = "3f1c9a0e5b7d2c4a"

// instrumentSpec is what docs/observability.md promises of one metric.
type instrumentSpec struct {
	unit      string
	histogram bool
	monotonic bool
}

// documented lists every metric the package records.
var documented = map[string]instrumentSpec{
	"pbxauth.login.duration":           {unit: "s", histogram: true},
	"pbxauth.logins":                   {unit: "{login}", monotonic: true},
	"pbxauth.active_logins":            {unit: "{login}"},
	"pbxauth.logouts":                  {unit: "{logout}", monotonic: true},
	"pbxauth.session.refusals":         {unit: "{refusal}", monotonic: true},
	"pbxauth.retries":                  {unit: "{retry}", monotonic: true},
	"pbxauth.retry.budget.exhaustions": {unit: "{exhaustion}", monotonic: true},
	"pbxauth.store.shared_sessions":    {unit: "{session}", monotonic: true},
	"pbxauth.store.lease.waits":        {unit: "{wait}", monotonic: true},
	"pbxauth.store.lease.wait_time":    {unit: "s", histogram: true},
	"pbxauth.store.lease.takeovers":    {unit: "{takeover}", monotonic: true},
	"pbxauth.store.fallbacks":          {unit: "{fallback}", monotonic: true},
}

// wantBounds are the histograms' bucket boundaries.
var wantBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// fireAll calls every hook once, a login around the rest.
func fireAll(ctx context.Context, h *auth.Hooks) {
	ctx = h.LoginStart(ctx, auth.LoginStartInfo{Provider: "onsip", Account: account, Reason: auth.LoginFirst})
	h.Retry(ctx, auth.RetryInfo{Provider: "onsip", Account: account, Op: auth.OpLogin, Method: "POST",
		Attempt: 2, Wait: 40 * time.Millisecond, StatusCode: 503, Repeatable: true})
	h.BudgetSpent(ctx, auth.BudgetSpentInfo{Provider: "onsip", Account: account, Op: auth.OpLogin,
		Origin: "https://api.onsip.com"})
	h.LeaseWait(ctx, auth.LeaseWaitInfo{Provider: "onsip", Account: account, Waited: time.Second, Outcome: "takeover"})
	h.LeaseTakeover(ctx, auth.LeaseTakeoverInfo{Provider: "onsip", Account: account, Waited: time.Second})
	h.StoreFallback(ctx, auth.StoreFallbackInfo{Provider: "onsip", Account: account, Op: "publish",
		Err: errors.New("connection refused")})
	h.LoginDone(ctx, auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: auth.LoginFirst,
		Duration: 120 * time.Millisecond})
	h.SessionShared(ctx, auth.SessionSharedInfo{Provider: "onsip", Account: account})
	h.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: "onsip", Account: account, Lost: true})
	h.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: "onsip", Account: account, Reason: auth.LogoutExplicit,
		Duration: 30 * time.Millisecond})
}

func TestEveryMetricIsDocumented(t *testing.T) {
	tel := newTelemetry(t)
	fireAll(context.Background(), tel.hooks)
	got := tel.metrics(t)
	for name, spec := range documented {
		m, ok := got[name]
		if !assert.Truef(t, ok, "metric %s not recorded", name) {
			continue
		}
		assert.Equal(t, spec.unit, m.Unit, name)
		assert.NotEmpty(t, m.Description, name)
		switch data := m.Data.(type) {
		case metricdata.Histogram[float64]:
			assert.True(t, spec.histogram, "%s is a histogram", name)
			for _, p := range data.DataPoints {
				assert.Equal(t, wantBounds, p.Bounds, name)
			}
		case metricdata.Sum[int64]:
			assert.False(t, spec.histogram, "%s is a sum", name)
			assert.Equal(t, spec.monotonic, data.IsMonotonic, "%s monotonic", name)
		default:
			t.Errorf("%s has data %T", name, m.Data)
		}
	}
	for name := range got {
		_, ok := documented[name]
		assert.Truef(t, ok, "metric %s is not documented", name)
	}
}

func TestLoginMetrics(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome error
		want    string
	}{
		{"success", nil, "success"},
		{"invalid credentials", auth.ErrInvalidCredentials, "invalid_credentials"},
		{"session expired", auth.ErrSessionExpired, "session_expired"},
		{"unavailable", auth.ErrUnavailable, "unavailable"},
		{"protocol", auth.ErrProtocol, "protocol_error"},
		{"canceled", context.Canceled, "canceled"},
		{"deadline", context.DeadlineExceeded, "deadline_exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tel := newTelemetry(t)
			h := tel.hooks
			ctx := h.LoginStart(context.Background(),
				auth.LoginStartInfo{Provider: "onsip", Account: account, Reason: auth.LoginExpired})
			tel.wantCounts(t, "pbxauth.active_logins", map[string]int64{
				"pbxauth.login.reason=expired,pbxauth.provider=onsip,": 1,
			})
			done := auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: auth.LoginExpired,
				Outcome: tc.outcome, Duration: 250 * time.Millisecond}
			if tc.outcome != nil {
				done.Err = sessionErr(auth.OpLogin, 0, tc.outcome)
			}
			h.LoginDone(ctx, done)

			set := "pbxauth.login.reason=expired,pbxauth.login.renewed=false,pbxauth.outcome=" + tc.want +
				",pbxauth.provider=onsip,"
			if tc.want != "success" {
				set = "error.type=" + tc.want + "," + set
			}
			tel.wantCounts(t, "pbxauth.logins", map[string]int64{set: 1})
			tel.wantCounts(t, "pbxauth.active_logins", map[string]int64{
				"pbxauth.login.reason=expired,pbxauth.provider=onsip,": 0,
			})
			points := histogram(t, tel.metrics(t)["pbxauth.login.duration"])
			require.Len(t, points, 1)
			p, ok := points[set]
			require.True(t, ok, "duration has the logins' attribute set")
			assert.Equal(t, uint64(1), p.Count)
			assert.InDelta(t, 0.25, p.Sum, 1e-9, "duration in seconds")
		})
	}
}

func TestLoginRenewed(t *testing.T) {
	tel := newTelemetry(t)
	ctx := tel.hooks.LoginStart(context.Background(),
		auth.LoginStartInfo{Provider: "ipcortex", Account: account, Reason: auth.LoginRefused})
	tel.hooks.LoginDone(ctx, auth.LoginDoneInfo{Provider: "ipcortex", Account: account,
		Reason: auth.LoginRefused, Renewed: true, Duration: time.Millisecond})
	tel.wantCounts(t, "pbxauth.logins", map[string]int64{
		"pbxauth.login.reason=refused,pbxauth.login.renewed=true,pbxauth.outcome=success,pbxauth.provider=ipcortex,": 1,
	})
}

func TestOutcomeFromTheChain(t *testing.T) {
	for _, tc := range []struct {
		name         string
		outcome, err error
		want         string
	}{
		{"wrapped sentinel", sessionErr(auth.OpLogin, 503, auth.ErrUnavailable), nil, "unavailable"},
		{"joined with a transport error",
			errors.Join(auth.ErrUnavailable, errors.New("dial tcp: connection refused")), nil, "unavailable"},
		{"context error in an auth.Error", sessionErr(auth.OpLogin, 0, context.DeadlineExceeded), nil,
			"deadline_exceeded"},
		{"outcome left nil, err set", nil, sessionErr(auth.OpLogin, 200, auth.ErrInvalidCredentials),
			"invalid_credentials"},
		{"no sentinel", errors.New("something else"), nil, "_OTHER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tel := newTelemetry(t)
			tel.hooks.LoginDone(context.Background(), auth.LoginDoneInfo{Provider: "onsip",
				Reason: auth.LoginFirst, Outcome: tc.outcome, Err: tc.err})
			tel.wantCounts(t, "pbxauth.logins", map[string]int64{
				"error.type=" + tc.want + ",pbxauth.login.reason=first,pbxauth.login.renewed=false,pbxauth.outcome=" +
					tc.want + ",pbxauth.provider=onsip,": 1,
			})
		})
	}
}

func TestLogoutMetrics(t *testing.T) {
	tel := newTelemetry(t)
	ctx := context.Background()
	tel.hooks.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: "onsip", Account: account,
		Reason: auth.LogoutExplicit, Duration: time.Millisecond})
	tel.hooks.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: "onsip", Account: account,
		Reason: auth.LogoutReplaced, Duration: time.Millisecond})
	tel.hooks.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: "onsip", Account: account,
		Reason: auth.LogoutReplaced, Outcome: auth.ErrUnavailable,
		Err: sessionErr(auth.OpLogout, 503, auth.ErrUnavailable), Duration: time.Millisecond})
	tel.wantCounts(t, "pbxauth.logouts", map[string]int64{
		"pbxauth.logout.reason=explicit,pbxauth.outcome=success,pbxauth.provider=onsip,":                            1,
		"pbxauth.logout.reason=replaced,pbxauth.outcome=success,pbxauth.provider=onsip,":                            1,
		"error.type=unavailable,pbxauth.logout.reason=replaced,pbxauth.outcome=unavailable,pbxauth.provider=onsip,": 1,
	})
}

func TestRefusalMetrics(t *testing.T) {
	tel := newTelemetry(t)
	ctx := context.Background()
	for range 2 {
		tel.hooks.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: "ipcortex", Account: account, Lost: true})
	}
	tel.hooks.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: "onsip", Account: account, Lost: false})
	tel.hooks.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: "onsip", Account: account, Lost: true})
	tel.wantCounts(t, "pbxauth.session.refusals", map[string]int64{
		"pbxauth.provider=ipcortex,pbxauth.session.lost=true,": 2,
		"pbxauth.provider=onsip,pbxauth.session.lost=false,":   1,
		"pbxauth.provider=onsip,pbxauth.session.lost=true,":    1,
	})
}

func TestRetryMetrics(t *testing.T) {
	tel := newTelemetry(t)
	ctx := context.Background()
	retry := func(method string, status int, kind string, repeatable bool) {
		tel.hooks.Retry(ctx, auth.RetryInfo{Provider: "onsip", Account: account, Op: auth.OpRequest,
			Method: method, Attempt: 2, Wait: time.Millisecond, StatusCode: status, ErrorKind: kind,
			Repeatable: repeatable})
	}
	retry("POST", 503, "", true)
	retry("POST", 503, "", true)
	retry("POST", 429, "ignored when there is a status", true)
	retry("GET", 0, "connection refused", false)
	retry("GET", 0, "", false)
	retry("BREW", 0, "timeout", true)
	tel.wantCounts(t, "pbxauth.retries", map[string]int64{
		"error.type=503,http.request.method=POST,http.response.status_code=503,pbxauth.operation=request,pbxauth.provider=onsip,pbxauth.retry.repeatable=true,": 2,
		"error.type=429,http.request.method=POST,http.response.status_code=429,pbxauth.operation=request,pbxauth.provider=onsip,pbxauth.retry.repeatable=true,": 1,
		"error.type=connection_refused,http.request.method=GET,pbxauth.operation=request,pbxauth.provider=onsip,pbxauth.retry.repeatable=false,":                1,
		"error.type=_OTHER,http.request.method=GET,pbxauth.operation=request,pbxauth.provider=onsip,pbxauth.retry.repeatable=false,":                            1,
		"error.type=timeout,http.request.method=_OTHER,pbxauth.operation=request,pbxauth.provider=onsip,pbxauth.retry.repeatable=true,":                         1,
	})
}

func TestBudgetMetrics(t *testing.T) {
	tel := newTelemetry(t)
	for _, op := range []string{auth.OpLogin, auth.OpRequest, auth.OpRequest} {
		tel.hooks.BudgetSpent(context.Background(), auth.BudgetSpentInfo{Provider: "onsip", Account: account,
			Op: op, Origin: "https://api.onsip.com"})
	}
	tel.wantCounts(t, "pbxauth.retry.budget.exhaustions", map[string]int64{
		"pbxauth.operation=login,pbxauth.provider=onsip,":   1,
		"pbxauth.operation=request,pbxauth.provider=onsip,": 2,
	})
}

func TestStoreMetrics(t *testing.T) {
	tel := newTelemetry(t)
	h, ctx := tel.hooks, context.Background()
	h.SessionShared(ctx, auth.SessionSharedInfo{Provider: "onsip", Account: account})
	h.LeaseWait(ctx, auth.LeaseWaitInfo{Provider: "onsip", Account: account, Waited: 20 * time.Millisecond,
		Outcome: "shared"})
	h.LeaseWait(ctx, auth.LeaseWaitInfo{Provider: "onsip", Account: account, Waited: 3 * time.Second,
		Outcome: "store error"})
	h.LeaseTakeover(ctx, auth.LeaseTakeoverInfo{Provider: "onsip", Account: account, Waited: 3 * time.Second})
	for _, f := range []struct {
		op  auth.StoreOp
		err error
	}{
		{"load", fmt.Errorf("redis: %w", context.DeadlineExceeded)},
		{"load", fmt.Errorf("read tcp 127.0.0.1:6379: %w", os.ErrDeadlineExceeded)}, // a net timeout
		{"publish", fmt.Errorf("store: %w", auth.ErrLeaseLost)},
		{"lease", auth.ErrLeaseHeld},
		{"release", context.Canceled},
		{"renew", errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")},
		{"invalidate", nil},
	} {
		h.StoreFallback(ctx, auth.StoreFallbackInfo{Provider: "onsip", Account: account, Op: f.op, Err: f.err})
	}

	tel.wantCounts(t, "pbxauth.store.shared_sessions", map[string]int64{"pbxauth.provider=onsip,": 1})
	tel.wantCounts(t, "pbxauth.store.lease.takeovers", map[string]int64{"pbxauth.provider=onsip,": 1})
	tel.wantCounts(t, "pbxauth.store.lease.waits", map[string]int64{
		"pbxauth.provider=onsip,pbxauth.store.lease.outcome=shared,":      1,
		"pbxauth.provider=onsip,pbxauth.store.lease.outcome=store_error,": 1,
	})
	waits := histogram(t, tel.metrics(t)["pbxauth.store.lease.wait_time"])
	assert.InDelta(t, 0.02, waits["pbxauth.provider=onsip,pbxauth.store.lease.outcome=shared,"].Sum, 1e-9)
	assert.InDelta(t, 3, waits["pbxauth.provider=onsip,pbxauth.store.lease.outcome=store_error,"].Sum, 1e-9)
	tel.wantCounts(t, "pbxauth.store.fallbacks", map[string]int64{
		"error.type=timeout,pbxauth.provider=onsip,pbxauth.store.operation=load,":       2,
		"error.type=lease_lost,pbxauth.provider=onsip,pbxauth.store.operation=publish,": 1,
		"error.type=lease_held,pbxauth.provider=onsip,pbxauth.store.operation=lease,":   1,
		"error.type=canceled,pbxauth.provider=onsip,pbxauth.store.operation=release,":   1,
		"error.type=_OTHER,pbxauth.provider=onsip,pbxauth.store.operation=renew,":       1,
		"error.type=_OTHER,pbxauth.provider=onsip,pbxauth.store.operation=invalidate,":  1,
	})
}

// TestValuesOutsideTheVocabulary sends values package auth does not
// document today (a newer core may): each still gets its own attribute
// set, through the general cache rather than a fixed slot.
func TestValuesOutsideTheVocabulary(t *testing.T) {
	tel := newTelemetry(t)
	h, ctx := tel.hooks, context.Background()
	for range 2 {
		lctx := h.LoginStart(ctx, auth.LoginStartInfo{Provider: "onsip", Account: account, Reason: "prewarm"})
		h.LoginDone(lctx, auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: "prewarm"})
		h.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: "onsip", Account: account, Reason: "shutdown"})
		h.Retry(ctx, auth.RetryInfo{Provider: "onsip", Account: account, Op: "refresh", Method: "POST", StatusCode: 502})
		h.Retry(ctx, auth.RetryInfo{Provider: "onsip", Account: account, Op: auth.OpLogin, Method: "POST", StatusCode: -1})
		h.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: "onsip", Account: account})
		h.BudgetSpent(ctx, auth.BudgetSpentInfo{Provider: "onsip", Account: account, Op: "refresh"})
		h.LeaseWait(ctx, auth.LeaseWaitInfo{Provider: "onsip", Account: account, Outcome: "Gave Up"})
		h.StoreFallback(ctx, auth.StoreFallbackInfo{Provider: "onsip", Account: account, Op: "scan"})
	}
	tel.wantCounts(t, "pbxauth.logins", map[string]int64{
		"pbxauth.login.reason=prewarm,pbxauth.login.renewed=false,pbxauth.outcome=success,pbxauth.provider=onsip,": 2,
	})
	tel.wantCounts(t, "pbxauth.active_logins", map[string]int64{
		"pbxauth.login.reason=prewarm,pbxauth.provider=onsip,": 0,
	})
	tel.wantCounts(t, "pbxauth.logouts", map[string]int64{
		"pbxauth.logout.reason=shutdown,pbxauth.outcome=success,pbxauth.provider=onsip,": 2,
	})
	tel.wantCounts(t, "pbxauth.retries", map[string]int64{
		"error.type=502,http.request.method=POST,http.response.status_code=502,pbxauth.operation=refresh,pbxauth.provider=onsip,pbxauth.retry.repeatable=false,": 2,
		"error.type=-1,http.request.method=POST,http.response.status_code=-1,pbxauth.operation=login,pbxauth.provider=onsip,pbxauth.retry.repeatable=false,":     2,
	})
	tel.wantCounts(t, "pbxauth.session.refusals", map[string]int64{
		"pbxauth.provider=onsip,pbxauth.session.lost=false,": 2,
	})
	tel.wantCounts(t, "pbxauth.retry.budget.exhaustions", map[string]int64{
		"pbxauth.operation=refresh,pbxauth.provider=onsip,": 2,
	})
	tel.wantCounts(t, "pbxauth.store.lease.waits", map[string]int64{
		"pbxauth.provider=onsip,pbxauth.store.lease.outcome=gave_up,": 2,
	})
	tel.wantCounts(t, "pbxauth.store.fallbacks", map[string]int64{
		"error.type=_OTHER,pbxauth.provider=onsip,pbxauth.store.operation=scan,": 2,
	})
	spans := tel.spans.Ended()
	require.Len(t, spans, 4, "two logins, two logouts")
	for _, s := range spans {
		got := attrsOf(s.Attributes())
		switch s.Name() {
		case "pbxauth.login":
			assert.Equal(t, "prewarm", got["pbxauth.login.reason"])
		case "pbxauth.logout":
			assert.Equal(t, "shutdown", got["pbxauth.logout.reason"])
		default:
			t.Errorf("span %s", s.Name())
		}
	}
}
