package otelauth_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/otelauth"
)

// benchSetup is a pair of providers an application may run the hooks with.
type benchSetup struct {
	name   string
	meter  func() metric.MeterProvider
	tracer func() trace.TracerProvider
}

var benchSetups = []benchSetup{
	// The SDK recording and sampling everything (no exporter): the most
	// a hook costs.
	{"sdk",
		func() metric.MeterProvider {
			return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		},
		func() trace.TracerProvider { return sdktrace.NewTracerProvider() }},
	// Metrics only: a service that traces nothing.
	{"metrics-only",
		func() metric.MeterProvider {
			return sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		},
		func() trace.TracerProvider { return tracenoop.NewTracerProvider() }},
	// Both no-op: the global providers of a process that set none.
	{"noop",
		func() metric.MeterProvider { return metricnoop.NewMeterProvider() },
		func() trace.TracerProvider { return tracenoop.NewTracerProvider() }},
}

// BenchmarkHooks measures each hook under each setup, against a baseline
// in the same run: one counter Add with a precomputed attribute set on the
// same MeterProvider, the least any metric costs.
func BenchmarkHooks(b *testing.B) {
	const provider = "onsip"
	const eventsPerSpan = 100
	for _, setup := range benchSetups {
		b.Run(setup.name, func(b *testing.B) {
			mp, tp := setup.meter(), setup.tracer()
			h, err := otelauth.Hooks(otelauth.WithMeterProvider(mp), otelauth.WithTracerProvider(tp))
			if err != nil {
				b.Fatal(err)
			}
			// The caller's span, as the hooks see it in a traced service.
			caller := tp.Tracer("caller")

			b.Run("baseline/counter.Add", func(b *testing.B) {
				c, err := mp.Meter("baseline").Int64Counter("baseline")
				if err != nil {
					b.Fatal(err)
				}
				opts := []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(
					attribute.String("pbxauth.provider", provider)))}
				ctx, span := caller.Start(context.Background(), "caller")
				defer span.End()
				b.ReportAllocs()
				for b.Loop() {
					c.Add(ctx, 1, opts...)
				}
			})
			// bench runs hook in the context of a caller's span that it
			// replaces, timer stopped, before the SDK's limit of 128 events a
			// span fills: past it each event costs a copy of the other 127,
			// which no real request sees.
			bench := func(name string, hook func(ctx context.Context)) {
				b.Run(name, func(b *testing.B) {
					ctx, span := caller.Start(context.Background(), "caller")
					n := 0
					b.ReportAllocs()
					for b.Loop() {
						if n++; n == eventsPerSpan {
							b.StopTimer()
							span.End()
							ctx, span = caller.Start(context.Background(), "caller")
							n = 0
							b.StartTimer()
						}
						hook(ctx)
					}
					span.End()
				})
			}
			bench("LoginStart+LoginDone", func(ctx context.Context) {
				lctx := h.LoginStart(ctx, auth.LoginStartInfo{Provider: provider, Account: account, Reason: auth.LoginFirst})
				h.LoginDone(lctx, auth.LoginDoneInfo{Provider: provider, Account: account, Reason: auth.LoginFirst,
					Duration: 80 * time.Millisecond})
			})
			failure := sessionErr(auth.OpLogin, 503, auth.ErrUnavailable)
			bench("LoginStart+LoginDone/failure", func(ctx context.Context) {
				lctx := h.LoginStart(ctx, auth.LoginStartInfo{Provider: provider, Account: account, Reason: auth.LoginExpired})
				h.LoginDone(lctx, auth.LoginDoneInfo{Provider: provider, Account: account, Reason: auth.LoginExpired,
					Outcome: auth.ErrUnavailable, Err: failure, Duration: 80 * time.Millisecond})
			})
			bench("LogoutDone", func(ctx context.Context) {
				h.LogoutDone(ctx, auth.LogoutDoneInfo{Provider: provider, Account: account, Reason: auth.LogoutReplaced,
					Duration: 20 * time.Millisecond})
			})
			bench("SessionRefused", func(ctx context.Context) {
				h.SessionRefused(ctx, auth.SessionRefusedInfo{Provider: provider, Account: account, Lost: true})
			})
			bench("Retry", func(ctx context.Context) {
				h.Retry(ctx, auth.RetryInfo{Provider: provider, Account: account, Op: auth.OpRequest, Method: "POST",
					Attempt: 2, Wait: 100 * time.Millisecond, StatusCode: 503, Repeatable: true})
			})
			bench("BudgetSpent", func(ctx context.Context) {
				h.BudgetSpent(ctx, auth.BudgetSpentInfo{Provider: provider, Account: account, Op: auth.OpRequest,
					Origin: "https://api.onsip.com"})
			})
			bench("SessionShared", func(ctx context.Context) {
				h.SessionShared(ctx, auth.SessionSharedInfo{Provider: provider, Account: account})
			})
			bench("LeaseWait", func(ctx context.Context) {
				h.LeaseWait(ctx, auth.LeaseWaitInfo{Provider: provider, Account: account, Waited: time.Second,
					Outcome: "shared"})
			})
			bench("LeaseTakeover", func(ctx context.Context) {
				h.LeaseTakeover(ctx, auth.LeaseTakeoverInfo{Provider: provider, Account: account, Waited: time.Second})
			})
			fallbackErr := context.DeadlineExceeded
			bench("StoreFallback", func(ctx context.Context) {
				h.StoreFallback(ctx, auth.StoreFallbackInfo{Provider: provider, Account: account, Op: "load",
					Err: fallbackErr})
			})
			// Parallel, with no caller span: the cost of the lookups and the
			// measurement under contention.
			b.Run("Retry/parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					ctx := context.Background()
					for pb.Next() {
						h.Retry(ctx, auth.RetryInfo{Provider: provider, Account: account, Op: auth.OpRequest,
							Method: "POST", Attempt: 2, Wait: 100 * time.Millisecond, StatusCode: 503})
					}
				})
			})
		})
	}
}
