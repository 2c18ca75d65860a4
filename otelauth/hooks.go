package otelauth

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/pbxauth/pbxauth/auth"
)

// Hooks returns hooks for auth.Config.Hooks that record every event as
// OpenTelemetry metrics and spans. The meter and tracer come from the
// global providers unless [WithMeterProvider] and [WithTracerProvider] say
// otherwise; both are taken once, here.
//
// One value serves any number of authenticators, providers and tenants,
// concurrently: share it. It fails only when the MeterProvider refuses an
// instrument.
func Hooks(opts ...Option) (*auth.Hooks, error) {
	r, err := newRecorder(newConfig(opts))
	if err != nil {
		return nil, err
	}
	return &auth.Hooks{
		LoginStart:     r.loginStart,
		LoginDone:      r.loginDone,
		LogoutDone:     r.logoutDone,
		SessionRefused: r.sessionRefused,
		Retry:          r.retry,
		BudgetSpent:    r.budgetSpent,
		SessionShared:  r.sessionShared,
		LeaseWait:      r.leaseWait,
		LeaseTakeover:  r.leaseTakeover,
		StoreFallback:  r.storeFallback,
	}, nil
}

// recorder turns hook calls into measurements and spans. Its hooks only
// read its fields and use the caches, which are safe for concurrent use.
type recorder struct {
	tracer           trace.Tracer
	inst             instruments
	extra            []attribute.KeyValue
	accountOnMetrics bool
	providers        cache[string, *providerSets]
	spans            cache[spanKey, []trace.SpanStartOption] // reasons outside the vocabulary
}

func newRecorder(c config) (*recorder, error) {
	meterOpts := []metric.MeterOption{metric.WithSchemaURL(semconv.SchemaURL)}
	tracerOpts := []trace.TracerOption{trace.WithSchemaURL(semconv.SchemaURL)}
	if v := Version(); v != "" {
		meterOpts = append(meterOpts, metric.WithInstrumentationVersion(v))
		tracerOpts = append(tracerOpts, trace.WithInstrumentationVersion(v))
	}
	inst, err := newInstruments(c.meterProvider.Meter(ScopeName, meterOpts...))
	if err != nil {
		return nil, fmt.Errorf("otelauth: creating instruments: %w", err)
	}
	return &recorder{
		tracer:           c.tracerProvider.Tracer(ScopeName, tracerOpts...),
		inst:             inst,
		extra:            c.attributes,
		accountOnMetrics: c.accountOnMetrics,
	}, nil
}

// metricAccount is the account as metrics see it: "" unless
// WithAccountOnMetrics.
func (r *recorder) metricAccount(account string) string {
	if r.accountOnMetrics {
		return account
	}
	return ""
}

// orBackground guards against a nil context, which the no-op tracer would
// panic on: a hook never panics.
func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// loginKey finds a login's [loginContext] among a context's values.
type loginKey struct{}

// loginContext is the context LoginStart returns: the caller's, with the
// login's span, and what LoginDone needs, in one allocation. LoginDone
// ends only a span it finds here, never one of the caller's that a
// context not from LoginStart would carry.
type loginContext struct {
	context.Context // the caller's, holding the login's span
	span            trace.Span
	active          *measurement // the active_logins set LoginStart added to
	ended           atomic.Bool  // LoginDone ran: a second call changes nothing
}

// Value returns c for loginKey, and the caller's values otherwise.
func (c *loginContext) Value(key any) any {
	if key == (loginKey{}) {
		return c
	}
	return c.Context.Value(key)
}

func (r *recorder) loginStart(ctx context.Context, info auth.LoginStartInfo) context.Context {
	ctx = orBackground(ctx)
	p := r.provider(info.Provider)
	active := r.activeSet(p, info.Account, info.Reason)
	r.inst.activeLogins.Add(ctx, 1, active.add...)

	ctx, span := r.tracer.Start(ctx, spanLogin, r.loginSpanStart(p, info.Reason)...)
	if span.IsRecording() {
		span.SetAttributes(keyAccount.String(info.Account))
	}
	return &loginContext{Context: ctx, span: span, active: active}
}

func (r *recorder) loginDone(ctx context.Context, info auth.LoginDoneInfo) {
	ctx = orBackground(ctx)
	o := outcomeOf(info.Outcome, info.Err)
	m := r.loginSet(r.provider(info.Provider), info.Account, info.Reason, o, info.Renewed)
	r.inst.loginDuration.Record(ctx, seconds(info.Duration), m.record...)
	r.inst.logins.Add(ctx, 1, m.add...)

	l, ok := ctx.Value(loginKey{}).(*loginContext)
	if !ok || l.ended.Swap(true) {
		return
	}
	r.inst.activeLogins.Add(ctx, -1, l.active.add...)
	if l.span.IsRecording() {
		l.span.SetAttributes(keyRenewed.Bool(info.Renewed))
	}
	endWith(l.span, o, info.Err)
}

func (r *recorder) logoutDone(ctx context.Context, info auth.LogoutDoneInfo) {
	ctx = orBackground(ctx)
	end := time.Now()
	p := r.provider(info.Provider)
	o := outcomeOf(info.Outcome, info.Err)
	r.inst.logouts.Add(ctx, 1, r.logoutSet(p, info.Account, info.Reason, o).add...)

	// The hook fires once the logout is over: the span is drawn after the
	// fact, from its duration.
	opts := r.logoutSpanStart(p, info.Reason)
	opts = append(opts[:len(opts):len(opts)], trace.WithTimestamp(end.Add(-max(info.Duration, 0))))
	_, span := r.tracer.Start(ctx, spanLogout, opts...)
	if span.IsRecording() {
		span.SetAttributes(keyAccount.String(info.Account))
	}
	endWith(span, o, info.Err, trace.WithTimestamp(end))
}

func (r *recorder) sessionRefused(ctx context.Context, info auth.SessionRefusedInfo) {
	ctx = orBackground(ctx)
	m := r.refusalSet(r.provider(info.Provider), info.Account, info.Lost)
	r.inst.refusals.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventRefused, info.Provider, info.Account, keySessionLost.Bool(info.Lost))
	}
}

func (r *recorder) retry(ctx context.Context, info auth.RetryInfo) {
	ctx = orBackground(ctx)
	r.inst.retries.Add(ctx, 1, r.retrySet(r.provider(info.Provider), &info).add...)
	if span, ok := recording(ctx); ok {
		kvs := []attribute.KeyValue{
			keyOperation.String(info.Op),
			semconv.HTTPRequestMethodKey.String(method(info.Method)),
			keyAttempt.Int(info.Attempt),
			keyRetryWait.Float64(seconds(info.Wait)),
			keyRepeatable.Bool(info.Repeatable),
			semconv.ErrorTypeKey.String(retryErrorType(info.StatusCode, info.ErrorKind)),
		}
		addEvent(span, eventRetry, info.Provider, info.Account, appendStatusCode(kvs, info.StatusCode)...)
	}
}

func (r *recorder) budgetSpent(ctx context.Context, info auth.BudgetSpentInfo) {
	ctx = orBackground(ctx)
	r.inst.budgetExhausted.Add(ctx, 1, r.budgetSet(r.provider(info.Provider), info.Account, info.Op).add...)
	if span, ok := recording(ctx); ok {
		kvs := append([]attribute.KeyValue{keyOperation.String(info.Op)}, originAttributes(info.Origin)...)
		addEvent(span, eventBudgetExhausted, info.Provider, info.Account, kvs...)
	}
}

func (r *recorder) sessionShared(ctx context.Context, info auth.SessionSharedInfo) {
	ctx = orBackground(ctx)
	r.inst.sharedSessions.Add(ctx, 1, r.sharedSet(r.provider(info.Provider), info.Account).add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventShared, info.Provider, info.Account)
	}
}

func (r *recorder) leaseWait(ctx context.Context, info auth.LeaseWaitInfo) {
	ctx = orBackground(ctx)
	m := r.leaseWaitSet(r.provider(info.Provider), info.Account, string(info.Outcome))
	r.inst.leaseWaits.Add(ctx, 1, m.add...)
	r.inst.leaseWaitTime.Record(ctx, seconds(info.Waited), m.record...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventLeaseWait, info.Provider, info.Account,
			keyLeaseOutcome.String(token(string(info.Outcome))), keyLeaseWaited.Float64(seconds(info.Waited)))
	}
}

func (r *recorder) leaseTakeover(ctx context.Context, info auth.LeaseTakeoverInfo) {
	ctx = orBackground(ctx)
	r.inst.leaseTakeovers.Add(ctx, 1, r.takeoverSet(r.provider(info.Provider), info.Account).add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventLeaseTakeover, info.Provider, info.Account,
			keyLeaseWaited.Float64(seconds(info.Waited)))
	}
}

func (r *recorder) storeFallback(ctx context.Context, info auth.StoreFallbackInfo) {
	ctx = orBackground(ctx)
	e := storeErrorOf(info.Err)
	r.inst.storeFallbacks.Add(ctx, 1, r.fallbackSet(r.provider(info.Provider), info.Account, string(info.Op), e).add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventStoreFallback, info.Provider, info.Account,
			keyStoreOp.String(token(string(info.Op))), semconv.ErrorTypeKey.String(e.String()))
	}
}
