package provider_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

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
		e := provider.StatusError("p", tc.op, tc.status)
		requireSentinel(t, e, tc.want)
		assert.Equal(t, tc.status, e.StatusCode)
	}
	for code := 100; code < 600; code++ {
		assert.Equal(t, code == 401 || code == 403, provider.RefusedStatus(code), "%d", code)
	}
}
