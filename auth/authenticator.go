package auth

import (
	"context"
	"net/http"
)

// Authenticator signs in to one account at one provider and holds the
// session. All methods are safe for concurrent use.
type Authenticator interface {
	// Login always opens a new session at the provider, replacing any held
	// one (the replaced session is not logged out).
	Login(ctx context.Context) (*Session, error)

	// Logout ends the held session at the provider and forgets it. With no
	// session held it returns nil at once. When the provider cannot be
	// reached the session stays held and the error is returned, so the call
	// can be tried again; a provider answer that the session is already gone
	// counts as success.
	Logout(ctx context.Context) error

	// Session returns the held session while it is usable, else logs in.
	// Concurrent callers share one login; a caller whose ctx ends stops
	// waiting at once while the login goes on for the others. The returned
	// Session is shared: treat it as read-only.
	Session(ctx context.Context) (*Session, error)
}

// Authorizer is implemented by authenticators that know how to put a session
// on a request to their vendor's API. [NewClient] needs it.
type Authorizer interface {
	// Authorize puts s on req the way the vendor expects: a cookie, a header,
	// a form or query parameter, a field of a JSON body. req is the caller's
	// own clone; Authorize may change it, and keeps any body replayable.
	Authorize(req *http.Request, s *Session) error
}

// RefusalDetector is implemented by authenticators whose vendor refuses a
// session in a way HTTP status alone does not show (OnSIP answers 200 with an
// XML error). [NewClient] asks it about every answer. Refused must leave
// resp readable by the caller: if it reads the body it puts back an
// equivalent one.
type RefusalDetector interface {
	Refused(resp *http.Response) bool
}

// Invalidator is implemented by authenticators built on [SessionCache]: it
// drops s only if s is still the held session, so that many requests refused
// at once cause one new login. [NewClient] uses it.
type Invalidator interface {
	Invalidate(s *Session) bool
}

// Backend is the part of an authenticator that speaks one vendor's protocol;
// [SessionCache] does the rest. Methods are called concurrently.
type Backend interface {
	// Login opens a new session and returns it. IssuedAt may be left zero.
	Login(ctx context.Context) (*Session, error)

	// Logout ends s at the provider. It returns nil when the provider says
	// the session is already gone.
	Logout(ctx context.Context, s *Session) error
}
