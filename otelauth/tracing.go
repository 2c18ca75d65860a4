package otelauth

import (
	"context"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/pbxauth/pbxauth/auth"
)

// The spans, and the events added to the span in the hook's context.
const (
	spanLogin  = "pbxauth.login"
	spanLogout = "pbxauth.logout"

	eventRetry           = "pbxauth.retry"
	eventBudgetExhausted = "pbxauth.retry.budget_exhausted"
	eventRefused         = "pbxauth.session.refused"
	eventShared          = "pbxauth.store.session_shared"
	eventLeaseWait       = "pbxauth.store.lease.wait"
	eventLeaseTakeover   = "pbxauth.store.lease.takeover"
	eventStoreFallback   = "pbxauth.store.fallback"
)

// spanKey names the start options of a login or logout span whose reason
// is outside the vocabulary.
type spanKey struct {
	name, provider, reason string
}

// loginSpanStart returns the options a login span of p's starts with.
func (r *recorder) loginSpanStart(p *providerSets, reason auth.LoginReason) []trace.SpanStartOption {
	if i := indexOf(loginReasons[:], string(reason)); i >= 0 {
		return r.fixedSpanStart(&p.loginSpans[i], p.name, string(reason), keyLoginReason)
	}
	return r.otherSpanStart(spanKey{spanLogin, p.name, string(reason)}, keyLoginReason)
}

// logoutSpanStart returns the options a logout span of p's starts with.
func (r *recorder) logoutSpanStart(p *providerSets, reason auth.LogoutReason) []trace.SpanStartOption {
	if i := indexOf(logoutReasons[:], string(reason)); i >= 0 {
		return r.fixedSpanStart(&p.logoutSpans[i], p.name, string(reason), keyLogoutReason)
	}
	return r.otherSpanStart(spanKey{spanLogout, p.name, string(reason)}, keyLogoutReason)
}

func (r *recorder) fixedSpanStart(slot *atomic.Pointer[[]trace.SpanStartOption], provider, reason string,
	reasonKey attribute.Key) []trace.SpanStartOption {
	if opts := slot.Load(); opts != nil {
		return *opts
	}
	opts := r.newSpanStart(provider, reason, reasonKey)
	slot.CompareAndSwap(nil, &opts)
	return *slot.Load()
}

func (r *recorder) otherSpanStart(k spanKey, reasonKey attribute.Key) []trace.SpanStartOption {
	return r.spans.get(k, func() []trace.SpanStartOption { return r.newSpanStart(k.provider, k.reason, reasonKey) })
}

// newSpanStart builds the options a span starts with: internal kind (the
// HTTP requests inside it are the client spans, if the service traces its
// transport), the caller's attributes, the provider and the reason. The
// account is added once the span is known to record, so that an unsampled
// login allocates nothing for it.
func (r *recorder) newSpanStart(provider, reason string, reasonKey attribute.Key) []trace.SpanStartOption {
	kvs := make([]attribute.KeyValue, 0, len(r.extra)+2)
	kvs = append(kvs, r.extra...)
	kvs = append(kvs, keyProvider.String(provider), reasonKey.String(reason))
	return []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(kvs...),
	}
}

// endWith records a login's or logout's end on span: its outcome, and on a
// failure the status Error with the outcome as description (never the
// error's text, which may quote what the vendor echoed).
func endWith(span trace.Span, o outcome, failure error, end ...trace.SpanEndOption) {
	if span.IsRecording() {
		kvs := appendOutcome(make([]attribute.KeyValue, 0, 3), o.String())
		if o != outcomeSuccess {
			kvs = appendStatusCode(kvs, statusCodeOf(failure))
			span.SetStatus(codes.Error, o.String())
		}
		span.SetAttributes(kvs...)
	}
	span.End(end...)
}

// recording returns the span in ctx if it records: events are built only
// for a span that keeps them.
func recording(ctx context.Context) (trace.Span, bool) {
	span := trace.SpanFromContext(ctx)
	return span, span.IsRecording()
}

// addEvent adds an event to span with the provider and account before
// attrs: the span may be the caller's own, which does not name them.
func addEvent(span trace.Span, name, provider, account string, attrs ...attribute.KeyValue) {
	kvs := make([]attribute.KeyValue, 0, len(attrs)+2)
	kvs = append(kvs, keyProvider.String(provider), keyAccount.String(account))
	kvs = append(kvs, attrs...)
	span.AddEvent(name, trace.WithAttributes(kvs...))
}

// originAttributes names a vendor origin ("https://api.onsip.com") the
// way the semantic conventions name a server.
func originAttributes(origin string) []attribute.KeyValue {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return nil
	}
	kvs := []attribute.KeyValue{
		semconv.URLSchemeKey.String(u.Scheme),
		semconv.ServerAddressKey.String(u.Hostname()),
	}
	if port := portOf(u); port != 0 {
		kvs = append(kvs, semconv.ServerPortKey.Int(port))
	}
	return kvs
}

// portOf returns u's port, or its scheme's default one, or 0.
func portOf(u *url.URL) int {
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return 0
		}
		return n
	}
	switch u.Scheme {
	case "https":
		return 443
	case "http":
		return 80
	}
	return 0
}

// seconds is d in seconds, the unit of every duration recorded.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}
