// Package sentinel holds pbxauth's four failure sentinels, so that the
// packages below auth (the retrying transport) can classify a failure with
// the very values auth exports. auth re-exports them with their
// documentation; nothing else should name this package.
package sentinel

import "errors"

// The sentinels; auth documents what each means.
var (
	ErrInvalidCredentials = errors.New("invalid credentials")
	ErrSessionExpired     = errors.New("session expired")
	ErrUnavailable        = errors.New("provider unavailable")
	ErrProtocol           = errors.New("protocol error")
)
