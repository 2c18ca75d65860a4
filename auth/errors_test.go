package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

func TestErrorText(t *testing.T) {
	e := &auth.Error{Provider: "onsip", Op: auth.OpLogin, StatusCode: 200, Code: "Password",
		Message: "Authentication failed.", Err: auth.ErrInvalidCredentials}
	assert.Equal(t, "onsip login: invalid credentials (HTTP 200): Authentication failed. [Password]", e.Error())
	assert.ErrorIs(t, e, auth.ErrInvalidCredentials)

	joined := &auth.Error{Provider: "p", Op: auth.OpRequest, Err: errors.Join(auth.ErrUnavailable, errors.New("dial: refused"))}
	assert.Equal(t, "p request: provider unavailable: dial: refused", joined.Error())
	assert.ErrorIs(t, joined, auth.ErrUnavailable)

	cancelled := &auth.Error{Provider: "p", Op: auth.OpSession, Err: context.Canceled}
	assert.ErrorIs(t, cancelled, context.Canceled)

	// No provider: an error of pbxauth's own, a Pool's.
	own := &auth.Error{Op: auth.OpPool, Err: context.Canceled, Message: "tenant not opened"}
	assert.Equal(t, "auth: pool: context canceled: tenant not opened", own.Error())
	closed := &auth.Error{Op: auth.OpPool, Err: auth.ErrPoolClosed}
	assert.Equal(t, "auth: pool: pool closed", closed.Error())
	assert.ErrorIs(t, closed, auth.ErrPoolClosed)
}

// The defaults auth documents are the ones the retrying transport applies.
func TestRetryDefaultsAreTheTransports(t *testing.T) {
	assert.Equal(t, transport.DefaultMaxAttempts, auth.DefaultMaxAttempts)
	assert.Equal(t, transport.DefaultBaseDelay, auth.DefaultBaseDelay)
	assert.Equal(t, transport.DefaultMaxDelay, auth.DefaultMaxDelay)
}
