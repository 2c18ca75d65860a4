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
	sets             cache[setKey, *measurement]
	spans            cache[spanKey, []trace.SpanStartOption]
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

// measurement returns the attribute set k names, built on first use.
func (r *recorder) measurement(k setKey) *measurement {
	if m, ok := r.sets.load(k); ok {
		return m
	}
	return r.sets.store(k, newMeasurement(r.metricAttributes(k)))
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

// login is what LoginStart leaves in the login's context for LoginDone.
type login struct {
	span   trace.Span
	active *measurement // the active_logins set the start added to
	ended  atomic.Bool  // LoginDone ran: a second call changes nothing
}

func (r *recorder) loginStart(ctx context.Context, info auth.LoginStartInfo) context.Context {
	ctx = orBackground(ctx)
	reason := string(info.Reason)
	active := r.measurement(setKey{kind: setActiveLogin, provider: info.Provider,
		account: r.metricAccount(info.Account), a: reason})
	r.inst.activeLogins.Add(ctx, 1, active.add...)

	ctx, span := r.tracer.Start(ctx, spanLogin, r.spanStart(spanLogin, info.Provider, reason, keyLoginReason)...)
	if span.IsRecording() {
		span.SetAttributes(keyAccount.String(info.Account))
	}
	return context.WithValue(ctx, loginSpanKey{}, &login{span: span, active: active})
}

func (r *recorder) loginDone(ctx context.Context, info auth.LoginDoneInfo) {
	ctx = orBackground(ctx)
	outcome := outcomeOf(info.Outcome, info.Err)
	m := r.measurement(setKey{kind: setLogin, provider: info.Provider, account: r.metricAccount(info.Account),
		a: string(info.Reason), b: outcome, flag: info.Renewed})
	r.inst.loginDuration.Record(ctx, seconds(info.Duration), m.record...)
	r.inst.logins.Add(ctx, 1, m.add...)

	// Only a login this recorder started is ended: the context might
	// otherwise carry a span of the caller's.
	l, ok := ctx.Value(loginSpanKey{}).(*login)
	if !ok || l.ended.Swap(true) {
		return
	}
	r.inst.activeLogins.Add(ctx, -1, l.active.add...)
	if l.span.IsRecording() {
		l.span.SetAttributes(keyRenewed.Bool(info.Renewed))
	}
	endWith(l.span, outcome, info.Err)
}

func (r *recorder) logoutDone(ctx context.Context, info auth.LogoutDoneInfo) {
	ctx = orBackground(ctx)
	end := time.Now()
	reason := string(info.Reason)
	outcome := outcomeOf(info.Outcome, info.Err)
	m := r.measurement(setKey{kind: setLogout, provider: info.Provider, account: r.metricAccount(info.Account),
		a: reason, b: outcome})
	r.inst.logouts.Add(ctx, 1, m.add...)

	// The hook fires once the logout is over: the span is drawn after the
	// fact, from its duration.
	start := end.Add(-max(info.Duration, 0))
	opts := r.spanStart(spanLogout, info.Provider, reason, keyLogoutRsn)
	opts = append(opts[:len(opts):len(opts)], trace.WithTimestamp(start))
	_, span := r.tracer.Start(ctx, spanLogout, opts...)
	if span.IsRecording() {
		span.SetAttributes(keyAccount.String(info.Account))
	}
	endWith(span, outcome, info.Err, trace.WithTimestamp(end))
}

func (r *recorder) sessionRefused(ctx context.Context, info auth.SessionRefusedInfo) {
	ctx = orBackground(ctx)
	m := r.measurement(setKey{kind: setRefusal, provider: info.Provider, account: r.metricAccount(info.Account),
		code: info.StatusCode, flag: info.Lost})
	r.inst.refusals.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		kvs := appendStatusCode([]attribute.KeyValue{keySessionLost.Bool(info.Lost)}, info.StatusCode)
		addEvent(span, eventRefused, info.Provider, info.Account, kvs...)
	}
}

func (r *recorder) retry(ctx context.Context, info auth.RetryInfo) {
	ctx = orBackground(ctx)
	kind := info.ErrorKind
	if info.StatusCode != 0 {
		kind = "" // error.type is the status: the kind adds nothing but keys
	}
	m := r.measurement(setKey{kind: setRetry, provider: info.Provider, account: r.metricAccount(info.Account),
		a: info.Op, b: method(info.Method), c: kind, code: info.StatusCode, flag: info.Repeatable})
	r.inst.retries.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		kvs := []attribute.KeyValue{
			keyOperation.String(info.Op),
			semconv.HTTPRequestMethodKey.String(method(info.Method)),
			keyAttempt.Int(info.Attempt),
			keyRetryWait.Float64(seconds(info.Wait)),
			keyRepeatable.Bool(info.Repeatable),
			semconv.ErrorTypeKey.String(retryErrorType(info.StatusCode, kind)),
		}
		addEvent(span, eventRetry, info.Provider, info.Account, appendStatusCode(kvs, info.StatusCode)...)
	}
}

func (r *recorder) budgetSpent(ctx context.Context, info auth.BudgetSpentInfo) {
	ctx = orBackground(ctx)
	m := r.measurement(setKey{kind: setBudget, provider: info.Provider, account: r.metricAccount(info.Account),
		a: info.Op})
	r.inst.budgetExhausted.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		kvs := append([]attribute.KeyValue{keyOperation.String(info.Op)}, originAttributes(info.Origin)...)
		addEvent(span, eventBudgetExhausted, info.Provider, info.Account, kvs...)
	}
}

func (r *recorder) sessionShared(ctx context.Context, info auth.SessionSharedInfo) {
	ctx = orBackground(ctx)
	m := r.measurement(setKey{kind: setShared, provider: info.Provider, account: r.metricAccount(info.Account)})
	r.inst.sharedSessions.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventShared, info.Provider, info.Account)
	}
}

func (r *recorder) leaseWait(ctx context.Context, info auth.LeaseWaitInfo) {
	ctx = orBackground(ctx)
	m := r.measurement(setKey{kind: setLeaseWait, provider: info.Provider, account: r.metricAccount(info.Account),
		a: info.Outcome})
	r.inst.leaseWaits.Add(ctx, 1, m.add...)
	r.inst.leaseWaitTime.Record(ctx, seconds(info.Waited), m.record...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventLeaseWait, info.Provider, info.Account,
			keyLeaseResult.String(token(info.Outcome)), keyLeaseWaited.Float64(seconds(info.Waited)))
	}
}

func (r *recorder) leaseTakeover(ctx context.Context, info auth.LeaseTakeoverInfo) {
	ctx = orBackground(ctx)
	m := r.measurement(setKey{kind: setTakeover, provider: info.Provider, account: r.metricAccount(info.Account)})
	r.inst.leaseTakeovers.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventLeaseTakeover, info.Provider, info.Account,
			keyLeaseWaited.Float64(seconds(info.Waited)))
	}
}

func (r *recorder) storeFallback(ctx context.Context, info auth.StoreFallbackInfo) {
	ctx = orBackground(ctx)
	errType := storeErrorType(info.Err)
	m := r.measurement(setKey{kind: setFallback, provider: info.Provider, account: r.metricAccount(info.Account),
		a: info.Op, b: errType})
	r.inst.storeFallbacks.Add(ctx, 1, m.add...)
	if span, ok := recording(ctx); ok {
		addEvent(span, eventStoreFallback, info.Provider, info.Account,
			keyStoreOp.String(token(info.Op)), semconv.ErrorTypeKey.String(errType))
	}
}
