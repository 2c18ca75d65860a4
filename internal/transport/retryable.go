package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
)

// The rules for what may be tried again. A retry must never repeat a side
// effect: a request that may have reached the server is sent again only
// when it is safe to repeat, while a server that declined to act (429,
// 503) or a connection that never carried a byte can always be tried
// again.

// declined reports whether an answer with this status says the server did
// not act on the request, so any request may be sent again: it asked to
// slow down (429) or is briefly unavailable (503).
func declined(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable
}

// gatewayFailed reports whether a gateway failed to get an answer (502, 504):
// the server behind it may have acted, so only a request safe to repeat is
// sent again. A plain 500 is a fault in the server's handling of this
// request, which the same request would meet again.
func gatewayFailed(code int) bool {
	return code == http.StatusBadGateway || code == http.StatusGatewayTimeout
}

// Repeatable reports whether req is safe to send twice: its method is
// idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE; net/http itself
// replays only the first four), or it carries an Idempotency-Key or
// X-Idempotency-Key header, net/http's own mark. A header set to a nil
// slice counts and is not sent on the wire, so a provider can mark a
// request it knows to be read-only without changing what is sent.
func Repeatable(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace,
		http.MethodPut, http.MethodDelete:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// MarkRepeatable marks req as safe to repeat the way [Repeatable] reads it,
// without adding anything to what is sent: an Idempotency-Key entry with
// no value, which net/http reads as the same mark and does not write. A
// request Repeatable already takes is left as it is. req must be the
// caller's own copy, its Header too: that is changed.
func MarkRepeatable(req *http.Request) {
	if Repeatable(req) {
		return
	}
	if req.Header == nil {
		req.Header = make(http.Header, 1)
	}
	req.Header["Idempotency-Key"] = nil
}

// retryableError reports whether a failure with no answer is worth another
// try at all: a cancel is the caller's decision, and a TLS peer the client
// does not trust will not heal by waiting. Whether the request may be sent
// again is decided by the caller from where the failure happened.
//
// The request's own context ending is caught before this; do not test for
// context.DeadlineExceeded here: every net and net/http timeout (dial, i/o
// deadline, ResponseHeaderTimeout) matches it with errors.Is.
func retryableError(err error) bool {
	return !errors.Is(err, context.Canceled) && !Untrusted(err)
}

// Untrusted reports whether err is a TLS failure that no wait will heal:
// a certificate the client rejects, or a peer that does not speak TLS.
func Untrusted(err error) bool {
	var (
		certErr    *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError // e.g. plain http answering https
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	return errors.As(err, &certErr) || errors.As(err, &recordErr) || errors.As(err, &unknownCA) ||
		errors.As(err, &hostErr) || errors.As(err, &invalidErr) || plainAnswer(err)
}

// plainAnswer reports whether err is net/http's own word for a TLS
// record header that looked like HTTP: it has no type for it.
func plainAnswer(err error) bool {
	return strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// isTimeout reports whether err is a network timeout, which costs the retry
// budget more: a timed-out server is likelier to be overloaded.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// RefusedStatus reports whether an HTTP status refuses the credentials or
// session a request carried: 401 or 403.
func RefusedStatus(code int) bool {
	return code == http.StatusUnauthorized || code == http.StatusForbidden
}
