package authtest

import "time"

// Server is the handle the suite needs on a provider's fake server. A fake
// embeds [Faults] for the generic faults and counts, and adds the
// vendor's: its logins, logouts and live sessions, and answers in its own
// document format. All methods are safe for concurrent use and take effect
// for the next request the server receives.
//
// Injected answers are given in the order they were asked for, each to as
// many requests as asked; a request that got one is still counted.
type Server interface {
	// Requests is the number of HTTP requests received, faults included.
	Requests() int
	// Logins is the number of login requests received (API-key checks too),
	// faults included.
	Logins() int
	// Logouts is the number of logout requests received, faults included.
	Logouts() int
	// ActiveSessions is the number of sessions the server holds open: the
	// suite checks that an account never keeps more than one.
	ActiveSessions() int

	// FailNext makes the next n requests answer HTTP status with no document.
	FailNext(n, status int)
	// FailNextRetryAfter is FailNext with a Retry-After header.
	FailNextRetryAfter(n, status int, retryAfter time.Duration)
	// DropNext makes the next n requests be read whole and their
	// connection closed with no answer.
	DropNext(n int)
	// MalformedNext makes the next n requests answer with a broken status
	// line quoting the request's body.
	MalformedNext(n int)
	// SetDelay makes every answer wait d first (0 stops it); the wait ends
	// early when the request's context ends.
	SetDelay(d time.Duration)
	// ForgetSessions makes every session issued so far unknown, as if it had
	// expired at the provider.
	ForgetSessions()
	// GarbageNext makes the next n requests answer HTTP 200 with a body that
	// is not the protocol's document.
	GarbageNext(n int)
	// OversizeNext makes the next n requests answer HTTP 200 with a
	// well-formed start of a document over 1 MiB long.
	OversizeNext(n int)
	// EchoNext makes the next n requests answer as a refused login, the
	// vendor's way, with a message that quotes the secret the request
	// carried (password or API key) passed through encode.
	EchoNext(n int, encode func(secret string) string)
	// RejectCredentials makes logins (and API-key checks) be refused the
	// vendor's way while reject is true.
	RejectCredentials(reject bool)
}
