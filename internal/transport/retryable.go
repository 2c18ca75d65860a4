package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
)

// retryableStatus reports whether an answer with this status is worth another
// try: the server asked to slow down (429) or a gateway or the service is
// briefly unavailable (502, 503, 504). A plain 500 is a fault in the
// server's handling of this request, which the same request will meet again.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError reports whether a failure before any response is worth
// another try. A cancel is the caller's decision and certificate failures
// will not heal by themselves; anything else (refused, reset, timed out) may.
// The request's own context ending is caught by RoundTrip before this; do not
// test for context.DeadlineExceeded here: every net and net/http timeout
// (dial, i/o deadline, ResponseHeaderTimeout) matches it with errors.Is.
func retryableError(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var (
		certErr    *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError // e.g. plain http answering https
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	return !errors.As(err, &certErr) && !errors.As(err, &recordErr) && !errors.As(err, &unknownCA) &&
		!errors.As(err, &hostErr) && !errors.As(err, &invalidErr)
}

// isTimeout reports whether err is a network timeout, which costs the retry
// budget more: a timed-out server is likelier to be overloaded.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
