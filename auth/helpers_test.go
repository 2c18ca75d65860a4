package auth_test

import (
	"context"
	"strconv"
	"sync/atomic"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// memoryBackend is a Backend with no server: each login hands out a new
// numbered session. block, when set, holds every login until it is closed
// or the login's context ends.
type memoryBackend struct {
	logins, logouts atomic.Int64
	block           chan struct{}
	loginErr        error
}

func (b *memoryBackend) OpenSession(ctx context.Context, _ *provider.Caller, _ *auth.Session) (*auth.Session, bool, error) {
	n := b.logins.Add(1)
	if b.block != nil {
		select {
		case <-b.block:
		case <-ctx.Done():
			return nil, false, &auth.Error{Provider: "memory", Op: auth.OpLogin, Err: ctx.Err()}
		}
	}
	if b.loginErr != nil {
		return nil, false, b.loginErr
	}
	return &auth.Session{ID: auth.Secret("session-" + strconv.FormatInt(n, 10)), UserID: "1"}, false, nil
}

func (b *memoryBackend) CloseSession(context.Context, *provider.Caller, *auth.Session) error {
	b.logouts.Add(1)
	return nil
}
