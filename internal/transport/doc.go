// Package transport is the one retrying http.RoundTripper every provider
// shares, with the helpers that go with it: a retry budget, a response size
// limit and redirect policies. It knows nothing of sessions or providers.
//
// Each retry concern lives in its own file: backoff.go (how long to wait),
// retryable.go (which failures are worth another try), budget.go (how many
// retries a transport may spend), transport.go (the loop that ties them).
package transport
