package provider

import (
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// StatusError classifies an HTTP answer that was not a success: 401 and 403
// mean auth.ErrInvalidCredentials for op auth.OpLogin and
// auth.ErrSessionExpired otherwise; 429 and 5xx mean auth.ErrUnavailable;
// redirects and any other status mean auth.ErrProtocol.
func StatusError(provider, op string, status int) *auth.Error {
	e := &auth.Error{Provider: provider, Op: op, StatusCode: status, Message: http.StatusText(status)}
	switch {
	case RefusedStatus(status):
		e.Err = auth.ErrSessionExpired
		if op == auth.OpLogin {
			e.Err = auth.ErrInvalidCredentials
		}
	case status == http.StatusTooManyRequests || status >= 500:
		e.Err = auth.ErrUnavailable
	case status >= 300 && status < 400:
		e.Err, e.Message = auth.ErrProtocol, "unexpected redirect"
	default:
		e.Err = auth.ErrProtocol
	}
	return e
}

// RefusedStatus reports whether an HTTP status refuses the credentials or
// session a request carried: 401 or 403. It is auth.NewClient's refusal
// test for providers without a Refused method, and where theirs starts.
func RefusedStatus(code int) bool { return transport.RefusedStatus(code) }

// RequestError is the error of a request an Authorize method will not sign
// (no session, a body it cannot read): auth.ErrProtocol for op
// auth.OpRequest, with message, which must quote nothing of the request.
func RequestError(provider, message string) *auth.Error {
	return &auth.Error{Provider: provider, Op: auth.OpRequest, Err: auth.ErrProtocol, Message: message}
}
