package auth

// SessionSharer is implemented by authenticators that can tell whether
// their session is shared with the application's other replicas through
// Config.Store. Every built-in provider's authenticator is one.
//
// A [Pool] asks it before logging out a tenant it drops: logging out a
// shared session would end it for the whole fleet, so a shared tenant is
// only forgotten. An authenticator that does not implement SessionSharer
// counts as not shared; one that wraps another should forward the method.
type SessionSharer interface {
	// SharesSession reports whether the session is the fleet's: held in
	// Config.Store, so that Logout ends it for every replica.
	SharesSession() bool
}
