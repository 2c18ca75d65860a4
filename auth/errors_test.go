package auth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pbxauth/pbxauth/auth"
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
}

func TestStatusError(t *testing.T) {
	for _, tc := range []struct {
		op     string
		status int
		want   error
	}{
		{auth.OpLogin, http.StatusUnauthorized, auth.ErrInvalidCredentials},
		{auth.OpLogin, http.StatusForbidden, auth.ErrInvalidCredentials},
		{auth.OpRequest, http.StatusUnauthorized, auth.ErrSessionExpired},
		{auth.OpLogout, http.StatusForbidden, auth.ErrSessionExpired},
		{auth.OpLogin, http.StatusTooManyRequests, auth.ErrUnavailable},
		{auth.OpLogin, http.StatusInternalServerError, auth.ErrUnavailable},
		{auth.OpLogin, http.StatusServiceUnavailable, auth.ErrUnavailable},
		{auth.OpLogin, http.StatusFound, auth.ErrProtocol},
		{auth.OpLogin, http.StatusNotFound, auth.ErrProtocol},
		{auth.OpLogin, http.StatusTeapot, auth.ErrProtocol},
	} {
		e := auth.StatusError("p", tc.op, tc.status)
		assert.ErrorIs(t, e, tc.want, "%s %d", tc.op, tc.status)
		assert.Equal(t, tc.status, e.StatusCode)
	}
}

func TestRedact(t *testing.T) {
	assert.Equal(t, "bad password [REDACTED] for [REDACTED]",
		auth.Redact("bad password pw1 for sid9", "pw1", "", "sid9"))
}
