package otelauth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/otelauth"
)

// wantChildOf fails t unless span's parent is the caller's span.
func wantChildOf(t *testing.T, caller trace.Span, span sdktrace.ReadOnlySpan) {
	t.Helper()
	assert.Equal(t, caller.SpanContext().TraceID(), span.SpanContext().TraceID(), "same trace as the caller")
	assert.Equal(t, caller.SpanContext().SpanID(), span.Parent().SpanID(), "parent is the caller's span")
}

// event is a span event as text.
type event struct {
	name  string
	attrs attrs
}

func eventsOf(span sdktrace.ReadOnlySpan) []event {
	var out []event
	for _, e := range span.Events() {
		out = append(out, event{e.Name, attrsOf(e.Attributes)})
	}
	return out
}

func TestLoginSpan(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	defer caller.End()

	loginCtx := tel.hooks.LoginStart(ctx, auth.LoginStartInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginFirst})
	inner := trace.SpanFromContext(loginCtx)
	require.NotEqual(t, caller.SpanContext().SpanID(), inner.SpanContext().SpanID(),
		"LoginStart returns a context holding a new span")
	assert.Empty(t, tel.spans.Ended(), "the login span is open until LoginDone")
	tel.hooks.LoginDone(loginCtx, auth.LoginDoneInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginFirst, Duration: 10 * time.Millisecond})

	span := tel.spanNamed(t, "pbxauth.login")
	wantChildOf(t, caller, span)
	assert.Equal(t, inner.SpanContext().SpanID(), span.SpanContext().SpanID())
	assert.Equal(t, trace.SpanKindInternal, span.SpanKind())
	assert.Equal(t, codes.Unset, span.Status().Code, "a successful login's status is left unset")
	assert.Equal(t, attrs{
		"pbxauth.provider":      "onsip",
		"pbxauth.account":       account,
		"pbxauth.login.reason":  "first",
		"pbxauth.outcome":       "success",
		"pbxauth.login.renewed": "false",
	}, attrsOf(span.Attributes()))
	assert.Equal(t, otelauth.ScopeName, span.InstrumentationScope().Name)
}

func TestLoginSpanFailure(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	defer caller.End()
	loginCtx := tel.hooks.LoginStart(ctx, auth.LoginStartInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginExplicit})
	tel.hooks.LoginDone(loginCtx, auth.LoginDoneInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginExplicit, Outcome: auth.ErrInvalidCredentials,
		Err: sessionErr(auth.OpLogin, 200, auth.ErrInvalidCredentials)})

	span := tel.spanNamed(t, "pbxauth.login")
	wantChildOf(t, caller, span)
	assert.Equal(t, sdktrace.Status{Code: codes.Error, Description: "invalid_credentials"}, span.Status())
	got := attrsOf(span.Attributes())
	assert.Equal(t, "invalid_credentials", got["pbxauth.outcome"])
	assert.Equal(t, "invalid_credentials", got["error.type"])
	assert.Equal(t, "200", got["http.response.status_code"])
	assert.Empty(t, span.Events(), "no exception event: the error's text is not recorded")
}

func TestLoginDoneLeavesTheCallersSpanAlone(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	// A LoginDone whose context did not come from LoginStart: it counts
	// the login but ends nothing of the caller's.
	tel.hooks.LoginDone(ctx, auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: auth.LoginFirst})
	assert.True(t, caller.IsRecording(), "the caller's span is still open")
	assert.Empty(t, tel.spans.Ended())
	tel.wantCounts(t, "pbxauth.logins", map[string]int64{
		"pbxauth.login.reason=first,pbxauth.login.renewed=false,pbxauth.outcome=success,pbxauth.provider=onsip,": 1,
	})
	caller.End()
}

func TestLoginDoneTwice(t *testing.T) {
	tel := newTelemetry(t)
	loginCtx := tel.hooks.LoginStart(context.Background(), auth.LoginStartInfo{Provider: "onsip",
		Account: account, Reason: auth.LoginFirst})
	done := auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: auth.LoginFirst}
	tel.hooks.LoginDone(loginCtx, done)
	tel.hooks.LoginDone(loginCtx, done)
	tel.wantCounts(t, "pbxauth.active_logins", map[string]int64{
		"pbxauth.login.reason=first,pbxauth.provider=onsip,": 0,
	})
	assert.Len(t, tel.spans.Ended(), 1)
}

func TestLogoutSpan(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	defer caller.End()
	const took = 42 * time.Millisecond
	before := time.Now()
	tel.hooks.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: "ipcortex", Account: account,
		Reason: auth.LogoutReplaced, Outcome: auth.ErrUnavailable,
		Err: sessionErr(auth.OpLogout, 503, auth.ErrUnavailable), Duration: took})

	span := tel.spanNamed(t, "pbxauth.logout")
	wantChildOf(t, caller, span)
	assert.Equal(t, took, span.EndTime().Sub(span.StartTime()), "drawn from the duration")
	assert.False(t, span.EndTime().Before(before), "ends when the hook fires")
	assert.Equal(t, sdktrace.Status{Code: codes.Error, Description: "unavailable"}, span.Status())
	assert.Equal(t, attrs{
		"pbxauth.provider":          "ipcortex",
		"pbxauth.account":           account,
		"pbxauth.logout.reason":     "replaced",
		"pbxauth.outcome":           "unavailable",
		"error.type":                "unavailable",
		"http.response.status_code": "503",
	}, attrsOf(span.Attributes()))
}

func TestEventsOnTheLoginSpan(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	defer caller.End()
	loginCtx := tel.hooks.LoginStart(ctx, auth.LoginStartInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginFirst})
	tel.hooks.Retry(loginCtx, auth.RetryInfo{Provider: "onsip", Account: account, Op: auth.OpLogin,
		Method: "POST", Attempt: 2, Wait: 250 * time.Millisecond, StatusCode: 503, Repeatable: true})
	tel.hooks.Retry(loginCtx, auth.RetryInfo{Provider: "onsip", Account: account, Op: auth.OpLogin,
		Method: "POST", Attempt: 3, Wait: 500 * time.Millisecond, ErrorKind: "connection refused"})
	tel.hooks.BudgetSpent(loginCtx, auth.BudgetSpentInfo{Provider: "onsip", Account: account,
		Op: auth.OpLogin, Origin: "https://api.onsip.com"})
	tel.hooks.LeaseWait(loginCtx, auth.LeaseWaitInfo{Provider: "onsip", Account: account,
		Waited: 1500 * time.Millisecond, Outcome: "takeover"})
	tel.hooks.LeaseTakeover(loginCtx, auth.LeaseTakeoverInfo{Provider: "onsip", Account: account,
		Waited: 1500 * time.Millisecond})
	tel.hooks.StoreFallback(loginCtx, auth.StoreFallbackInfo{Provider: "onsip", Account: account,
		Op: "publish", Err: context.DeadlineExceeded})
	tel.hooks.LoginDone(loginCtx, auth.LoginDoneInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginFirst, Outcome: auth.ErrUnavailable, Err: sessionErr(auth.OpLogin, 503, auth.ErrUnavailable)})

	span := tel.spanNamed(t, "pbxauth.login")
	who := func(kvs attrs) attrs {
		kvs["pbxauth.provider"], kvs["pbxauth.account"] = "onsip", account
		return kvs
	}
	assert.Equal(t, []event{
		{"pbxauth.retry", who(attrs{"pbxauth.operation": "login", "http.request.method": "POST",
			"pbxauth.retry.attempt": "2", "pbxauth.retry.wait": "0.25", "pbxauth.retry.repeatable": "true",
			"http.response.status_code": "503", "error.type": "503"})},
		{"pbxauth.retry", who(attrs{"pbxauth.operation": "login", "http.request.method": "POST",
			"pbxauth.retry.attempt": "3", "pbxauth.retry.wait": "0.5", "pbxauth.retry.repeatable": "false",
			"error.type": "connection_refused"})},
		{"pbxauth.retry.budget_exhausted", who(attrs{"pbxauth.operation": "login",
			"url.scheme": "https", "server.address": "api.onsip.com", "server.port": "443"})},
		{"pbxauth.store.lease.wait", who(attrs{"pbxauth.store.lease.outcome": "takeover",
			"pbxauth.store.lease.waited": "1.5"})},
		{"pbxauth.store.lease.takeover", who(attrs{"pbxauth.store.lease.waited": "1.5"})},
		{"pbxauth.store.fallback", who(attrs{"pbxauth.store.operation": "publish", "error.type": "timeout"})},
	}, eventsOf(span))
	assert.Empty(t, caller.(sdktrace.ReadOnlySpan).Events(), "the caller's span got none of the login's events")
}

func TestEventsOnTheCallersSpan(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	// A request through auth.NewClient: its events land on the caller's span.
	tel.hooks.Retry(ctx, auth.RetryInfo{Provider: "onsip", Account: account, Op: auth.OpRequest,
		Method: "GET", Attempt: 2, Wait: time.Millisecond, StatusCode: 429, Repeatable: true})
	tel.hooks.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: "onsip", Account: account, Lost: true})
	tel.hooks.SessionShared(ctx, auth.SessionSharedInfo{Provider: "onsip", Account: account})
	tel.hooks.BudgetSpent(ctx, auth.BudgetSpentInfo{Provider: "ipcortex", Account: account,
		Op: auth.OpRequest, Origin: "http://127.0.0.1:8080"})
	caller.End()

	span := tel.spanNamed(t, "caller")
	who := func(provider string, kvs attrs) attrs {
		kvs["pbxauth.provider"], kvs["pbxauth.account"] = provider, account
		return kvs
	}
	assert.Equal(t, []event{
		{"pbxauth.retry", who("onsip", attrs{"pbxauth.operation": "request", "http.request.method": "GET",
			"pbxauth.retry.attempt": "2", "pbxauth.retry.wait": "0.001", "pbxauth.retry.repeatable": "true",
			"http.response.status_code": "429", "error.type": "429"})},
		{"pbxauth.session.refused", who("onsip", attrs{"pbxauth.session.lost": "true"})},
		{"pbxauth.store.session_shared", who("onsip", attrs{})},
		{"pbxauth.retry.budget_exhausted", who("ipcortex", attrs{"pbxauth.operation": "request",
			"url.scheme": "http", "server.address": "127.0.0.1", "server.port": "8080"})},
	}, eventsOf(span))
	assert.Len(t, tel.spans.Ended(), 1, "events open no span of their own")
}

func TestNoParentSpan(t *testing.T) {
	tel := newTelemetry(t)
	loginCtx := tel.hooks.LoginStart(context.Background(), auth.LoginStartInfo{Provider: "onsip",
		Account: account, Reason: auth.LoginFirst})
	tel.hooks.LoginDone(loginCtx, auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: auth.LoginFirst})
	span := tel.spanNamed(t, "pbxauth.login")
	assert.False(t, span.Parent().IsValid(), "a login with no caller span is a root span")
}

// TestExemplarsPointAtTheLoginSpan: a login's measurements are made in
// its span's context before the span ends, so the SDK's default exemplar
// filter links the metric point to the login's trace.
func TestExemplarsPointAtTheLoginSpan(t *testing.T) {
	tel := newTelemetry(t)
	ctx, caller := tel.caller()
	defer caller.End()
	loginCtx := tel.hooks.LoginStart(ctx, auth.LoginStartInfo{Provider: "onsip", Account: account,
		Reason: auth.LoginFirst})
	tel.hooks.LoginDone(loginCtx, auth.LoginDoneInfo{Provider: "onsip", Account: account, Reason: auth.LoginFirst})
	login := tel.spanNamed(t, "pbxauth.login").SpanContext()

	sum, ok := tel.metrics(t)["pbxauth.logins"].Data.(metricdata.Sum[int64])
	require.True(t, ok)
	require.Len(t, sum.DataPoints, 1)
	require.Len(t, sum.DataPoints[0].Exemplars, 1)
	e := sum.DataPoints[0].Exemplars[0]
	assert.Equal(t, login.TraceID(), trace.TraceID(e.TraceID))
	assert.Equal(t, login.SpanID(), trace.SpanID(e.SpanID))
}
