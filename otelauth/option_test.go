package otelauth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/otelauth"
)

// everyPoint returns the attribute sets of every point of every metric.
func everyPoint(t *testing.T, ms map[string]metricdata.Metrics) map[string][]attrs {
	t.Helper()
	out := make(map[string][]attrs)
	for name, m := range ms {
		switch data := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, p := range data.DataPoints {
				out[name] = append(out[name], attrsOf(p.Attributes.ToSlice()))
			}
		case metricdata.Histogram[float64]:
			for _, p := range data.DataPoints {
				out[name] = append(out[name], attrsOf(p.Attributes.ToSlice()))
			}
		default:
			t.Fatalf("%s has data %T", name, m.Data)
		}
	}
	return out
}

func TestAccountIsOffMetricsByDefault(t *testing.T) {
	tel := newTelemetry(t)
	fireAll(context.Background(), tel.hooks)
	points := everyPoint(t, tel.metrics(t))
	require.Len(t, points, len(documented))
	for name, sets := range points {
		for _, set := range sets {
			assert.NotContains(t, set, "pbxauth.account", name)
		}
	}
	assert.Equal(t, account, attrsOf(tel.spanNamed(t, "pbxauth.login").Attributes())["pbxauth.account"],
		"spans carry the account")
}

func TestWithAccountOnMetrics(t *testing.T) {
	tel := newTelemetry(t, otelauth.WithAccountOnMetrics(true))
	fireAll(context.Background(), tel.hooks)
	points := everyPoint(t, tel.metrics(t))
	require.Len(t, points, len(documented))
	for name, sets := range points {
		for _, set := range sets {
			assert.Equal(t, account, set["pbxauth.account"], name)
		}
	}

	// Two accounts, two series.
	tel.hooks.SessionShared(context.Background(), auth.SessionSharedInfo{Provider: "onsip", Account: "other"})
	tel.wantCounts(t, "pbxauth.store.shared_sessions", map[string]int64{
		"pbxauth.account=" + account + ",pbxauth.provider=onsip,": 1,
		"pbxauth.account=other,pbxauth.provider=onsip,":           1,
	})
}

func TestWithAttributes(t *testing.T) {
	extra := []attribute.KeyValue{attribute.String("deployment.environment.name", "staging"),
		attribute.String("pbxauth.provider", "not the caller's to set")}
	tel := newTelemetry(t, otelauth.WithAttributes(extra...))
	extra[0] = attribute.String("deployment.environment.name", "changed after the call")
	fireAll(context.Background(), tel.hooks)

	for name, sets := range everyPoint(t, tel.metrics(t)) {
		for _, set := range sets {
			assert.Equal(t, "staging", set["deployment.environment.name"], name)
			assert.Equal(t, "onsip", set["pbxauth.provider"], "%s: the package's own key wins", name)
		}
	}
	for _, name := range []string{"pbxauth.login", "pbxauth.logout"} {
		got := attrsOf(tel.spanNamed(t, name).Attributes())
		assert.Equal(t, "staging", got["deployment.environment.name"], name)
		assert.Equal(t, "onsip", got["pbxauth.provider"], name)
	}
}

// TestGlobalProviders is not parallel: it sets the process's providers.
func TestGlobalProviders(t *testing.T) {
	prevMP, prevTP := otel.GetMeterProvider(), otel.GetTracerProvider()
	t.Cleanup(func() {
		otel.SetMeterProvider(prevMP)
		otel.SetTracerProvider(prevTP)
	})
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))

	hooks, err := otelauth.Hooks(otelauth.WithMeterProvider(nil), otelauth.WithTracerProvider(nil), nil)
	require.NoError(t, err)
	fireAll(context.Background(), hooks)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	assert.Equal(t, otelauth.ScopeName, rm.ScopeMetrics[0].Scope.Name)
	assert.Len(t, rm.ScopeMetrics[0].Metrics, len(documented))
	assert.Len(t, spans.Ended(), 2, "the login and the logout")
}

// TestNeverPanics drives every hook with zero infos, nil contexts and
// no-op providers: a hook must not break a login.
func TestNeverPanics(t *testing.T) {
	for name, opts := range map[string][]otelauth.Option{
		"sdk": nil,
		"noop": {otelauth.WithMeterProvider(metricnoop.NewMeterProvider()),
			otelauth.WithTracerProvider(tracenoop.NewTracerProvider())},
	} {
		t.Run(name, func(t *testing.T) {
			h := newTelemetry(t, opts...).hooks
			var nilCtx context.Context // what a careless caller passes
			assert.NotPanics(t, func() {
				ctx := h.LoginStart(nilCtx, auth.LoginStartInfo{})
				require.NotNil(t, ctx)
				h.LoginDone(ctx, auth.LoginDoneInfo{Duration: -time.Second})
				h.LoginDone(nilCtx, auth.LoginDoneInfo{})
				h.LogoutDone(nilCtx, auth.LogoutDoneInfo{Duration: -time.Second})
				h.SessionRefused(nilCtx, auth.SessionRefusedInfo{})
				h.Retry(nilCtx, auth.RetryInfo{})
				h.BudgetSpent(nilCtx, auth.BudgetSpentInfo{Origin: "%zz not a URL"})
				h.SessionShared(nilCtx, auth.SessionSharedInfo{})
				h.LeaseWait(nilCtx, auth.LeaseWaitInfo{Waited: -time.Second})
				h.LeaseTakeover(nilCtx, auth.LeaseTakeoverInfo{})
				h.StoreFallback(nilCtx, auth.StoreFallbackInfo{})
				fireAll(context.Background(), h)
			})
		})
	}
}

// TestConcurrentHooks runs every hook from many goroutines at once, with
// providers and accounts enough to grow the attribute-set cache while it
// is read; -race checks it, and the counts must add up.
func TestConcurrentHooks(t *testing.T) {
	const goroutines, rounds = 8, 50
	tel := newTelemetry(t, otelauth.WithAccountOnMetrics(true))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds {
				acct := string(rune('a' + (g*rounds+i)%26))
				h := tel.hooks
				ctx := h.LoginStart(context.Background(), auth.LoginStartInfo{Provider: "onsip", Account: acct,
					Reason: auth.LoginFirst})
				h.Retry(ctx, auth.RetryInfo{Provider: "onsip", Account: acct, Op: auth.OpLogin, Method: "POST",
					StatusCode: 500 + i%4, Attempt: 2})
				h.LoginDone(ctx, auth.LoginDoneInfo{Provider: "onsip", Account: acct, Reason: auth.LoginFirst,
					Duration: time.Millisecond})
			}
		})
	}
	wg.Wait()

	ms := tel.metrics(t)
	var logins, retries, active int64
	for _, n := range counts(t, ms["pbxauth.logins"]) {
		logins += n
	}
	for _, n := range counts(t, ms["pbxauth.retries"]) {
		retries += n
	}
	for _, n := range counts(t, ms["pbxauth.active_logins"]) {
		active += n
	}
	assert.Equal(t, int64(goroutines*rounds), logins)
	assert.Equal(t, int64(goroutines*rounds), retries)
	assert.Zero(t, active)
	assert.Len(t, tel.spans.Ended(), goroutines*rounds)
}
