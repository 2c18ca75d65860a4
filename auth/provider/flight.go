package provider

import (
	"sync"

	"github.com/pbxauth/pbxauth/auth"
)

// flight lets concurrent Session callers share one login. It holds no
// state between logins (golang.org/x/sync/singleflight keeps a map for
// good once used), which matters with one cache per tenant.
type flight struct {
	mu   sync.Mutex
	call *call // the login in flight, or nil
}

// call is one shared login. ready is closed once session is set (not on
// a failure), done once the login's work is over, the logout of the
// sessions it replaced included: a waiter returns at done, or with the
// session at ready when its own context ends in between.
type call struct {
	ready   chan struct{}
	done    chan struct{}
	session *auth.Session
	err     *auth.Error
}

// join returns the login in flight, or a new one and true: the caller must
// then run it and call finish.
func (f *flight) join() (*call, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.call != nil {
		return f.call, false
	}
	f.call = &call{ready: make(chan struct{}), done: make(chan struct{})}
	return f.call, true
}

// finish ends c, the login in flight: later callers start a login of
// their own, and every waiter gets c's result.
func (f *flight) finish(c *call) {
	f.mu.Lock()
	f.call = nil
	f.mu.Unlock()
	close(c.done)
}
