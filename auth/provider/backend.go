package provider

import (
	"context"

	"github.com/pbxauth/pbxauth/auth"
)

// Backend speaks one vendor's sign-in protocol; a [Cache] does the rest.
// Its methods are called concurrently, always with a context that has a
// deadline, and send their requests with the [Caller] they are given.
type Backend interface {
	// OpenSession signs in and returns the new session. IssuedAt and
	// Provider may be left for the cache to fill in.
	//
	// prev is the session being replaced, or nil. A vendor that can renew
	// a session in place (IPCortex: a login carrying the session cookie
	// affects that session instead of opening another) renews prev and
	// reports renewed; the cache then does not log prev out. Otherwise the
	// cache logs prev out once the new session is held, so an account never
	// keeps two sessions open.
	OpenSession(ctx context.Context, call *Caller, prev *auth.Session) (s *auth.Session, renewed bool, err error)

	// CloseSession ends s at the vendor. It returns nil when the vendor
	// says the session is already gone.
	CloseSession(ctx context.Context, call *Caller, s *auth.Session) error
}

// StatelessBackend is implemented by a Backend that knows from its
// configuration that its sessions carry no ID (IPCortex with an API key):
// there is nothing to share, so the cache never involves Config.Store for
// it, not even for its first login. Without it, the cache learns the same
// from the first session, which then goes through the store's lease.
type StatelessBackend interface {
	Backend
	Stateless() bool
}
