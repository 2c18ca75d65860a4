// Package otelauth records what pbxauth's authenticators do as
// OpenTelemetry metrics and spans: logins and their outcomes, refused
// sessions, retries and the retry budget, and the session store's events.
//
// [Hooks] returns an *auth.Hooks to set as auth.Config.Hooks. It uses the
// global MeterProvider and TracerProvider unless told otherwise, so a
// service that already set up OpenTelemetry needs one line:
//
//	hooks, err := otelauth.Hooks(
//		otelauth.WithMeterProvider(mp), // optional: default otel.GetMeterProvider()
//		otelauth.WithTracerProvider(tp), // optional: default otel.GetTracerProvider()
//	)
//	a, err := auth.Open("onsip", auth.Config{Credentials: creds, Hooks: hooks})
//
// One *auth.Hooks serves every authenticator, tenant and provider of the
// process. Its functions are safe for concurrent use and cheap: each finds
// a precomputed attribute set without allocating (one map lookup by
// provider name, then a fixed slot by the event's values; a retry, whose
// set holds a status code, looks that up in a second map) and adds one or
// two measurements; only the login's and logout's spans allocate what the
// tracer needs (see bench_test.go and docs/observability.md).
//
// # Metrics
//
// The instrumentation scope is [ScopeName], the module path. Durations are
// in seconds; the histograms' buckets run from 5 ms to 30 s.
//
//	name                              instrument     unit         attributes
//	pbxauth.login.duration            histogram      s            provider, login.reason, outcome, login.renewed, error.type
//	pbxauth.logins                    counter        {login}      the same
//	pbxauth.active_logins             updowncounter  {login}      provider, login.reason
//	pbxauth.logouts                   counter        {logout}     provider, logout.reason, outcome, error.type
//	pbxauth.session.refusals          counter        {refusal}    provider, session.lost
//	pbxauth.retries                   counter        {retry}      provider, operation, http.request.method, retry.repeatable,
//	                                                              http.response.status_code, error.type
//	pbxauth.retry.budget.exhaustions  counter        {exhaustion} provider, operation
//	pbxauth.store.shared_sessions     counter        {session}    provider
//	pbxauth.store.lease.waits         counter        {wait}       provider, store.lease.outcome
//	pbxauth.store.lease.wait_time     histogram      s            provider, store.lease.outcome
//	pbxauth.store.lease.takeovers     counter        {takeover}   provider
//	pbxauth.store.fallbacks           counter        {fallback}   provider, store.operation, error.type
//
// The table leaves out the "pbxauth." that starts the package's own
// attribute keys (provider is pbxauth.provider); error.type,
// http.request.method and http.response.status_code are the semantic
// conventions' own.
//
// pbxauth.outcome is one of success, invalid_credentials, session_expired,
// unavailable, protocol_error (the sentinels of package auth), canceled or
// deadline_exceeded (the context's errors). A failure also carries
// error.type with the same value; a success carries none. A retry's
// error.type is the failed try's status code ("503") or the transport's
// name for what went wrong ("timeout"); a store failure's is timeout,
// canceled, lease_lost, lease_held or _OTHER.
//
// # Spans
//
// A login is a span, pbxauth.login, started by LoginStart as a child of the
// span in the caller's context and ended by LoginDone; a failed login ends
// with status Error and the outcome as its description. A logout is a
// span, pbxauth.logout, drawn when it is over from its duration. Both carry
// pbxauth.provider, pbxauth.account and the reason; LoginDone adds the
// outcome. Retries, a spent retry budget, refused sessions and the store's
// events are events on the span in the hook's context: the login's span
// for a login's requests, the caller's for a request through
// auth.NewClient.
//
// # What is never recorded
//
// No attribute holds a username, a password, an API key or a session ID:
// the hooks' infos carry none, and the text of a failure, which can quote
// what a vendor echoed, is never recorded (a failure is named by its
// outcome). Accounts are named by pbxauth.account, a non-reversible key,
// on spans; on metrics only with [WithAccountOnMetrics], since it adds one
// time series per account.
package otelauth
