package auth

import (
	"context"
	"net/http"
)

// Authenticator signs in to one account at one provider and holds the
// session. All methods are safe for concurrent use, and all end within the
// login deadline (Config.HTTPClient's Timeout, else [DefaultLoginTimeout])
// even when ctx has none.
type Authenticator interface {
	// Login always opens a new session at the provider and holds it. The
	// session it replaces is renewed in place where the vendor can, and
	// logged out otherwise, so the account keeps one session open.
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

// Authorizer is an [Authenticator] that knows where its session may go and
// how it rides on a request to the vendor's API: what [NewClient] needs.
// Every built-in provider's authenticator is one.
type Authorizer interface {
	Authenticator

	// Endpoint returns the URL the account signs in at, in canonical form
	// (scheme and host in lower case, no default port, no trailing slash).
	// Build API URLs from it rather than from a hard-coded vendor default;
	// NewClient sends credentials to its origin only.
	Endpoint() string

	// Authorize puts s on req the way the vendor expects: a cookie, a
	// header, a form or query parameter, a field of a JSON body.
	//
	// req is a shallow copy of the caller's request, made for this one try.
	// Authorize may set any of its fields, but must not change what they
	// share with the caller's request: to change the header, URL or body,
	// give req a new one (req.Header = req.Header.Clone(), a new *url.URL,
	// a new Body with a GetBody that replays it). It may read and replace
	// req.Body; it must then close the old one.
	Authorize(req *http.Request, s *Session) error
}

// RefusalDetector is implemented by authorizers whose vendor refuses a
// session in a way the HTTP status alone does not show (OnSIP answers 200
// with an error document). [NewClient] asks it about every answer; without
// it, 401 and 403 are refusals. Refused must leave resp readable by the
// caller: if it reads the body it puts back an equivalent one.
type RefusalDetector interface {
	Refused(resp *http.Response) bool
}

// Refresher is implemented by authorizers that can replace a refused
// session: every built-in one. [NewClient] calls Refresh when the vendor
// refuses a session, and Accepted when it accepts one; without it, it
// calls Login.
type Refresher interface {
	// Refresh returns the session to try again with after the vendor
	// refused s: a new one from a login shared by every caller refused at
	// once, the one held now if s was already replaced, or s itself when
	// the refusal is the call's rather than the session's (s was opened
	// because of a refusal a moment ago and was refused again).
	Refresh(ctx context.Context, s *Session) (*Session, error)

	// Accepted tells that the vendor accepted a call made with s.
	Accepted(s *Session)
}
