// Package transport is the one retrying http.RoundTripper every provider
// shares, with the helpers that go with it: a retry budget per vendor
// origin, failures described in pbxauth's own words, the shared base
// transport and a response size limit. It knows nothing of sessions or
// providers; redirects are auth's (auth/redirect.go).
//
// Each concern lives in its own file: transport.go (the loop that ties
// them), backoff.go (how long to wait, and Retry-After), retryable.go
// (which failures are worth another try), sent.go (whether a try may have
// reached the server), budget.go (how many retries a transport may spend),
// budget_registry.go (one budget per base transport and origin, on
// registry.go's weakly held values), failure.go (a failure with no answer,
// in words that quote nothing the server sent), base.go (the shared
// connection pool, origins), limit.go (the size limit; bodies drained or put back)
// and observer.go (what the hooks are told).
package transport
