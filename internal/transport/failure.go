package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/pbxauth/pbxauth/internal/sentinel"
)

// Failure is a request that got no complete answer, described in words of
// pbxauth's own. net/http's errors quote what the server sent (a malformed
// status line, a header) and the request's URL (a query may carry a
// session), so their text never reaches an error a user sees: Failure keeps
// the classification and says what happened, and nothing else.
type Failure struct {
	// Text says what happened, naming at most the host.
	Text string
	// Sentinel is ErrUnavailable, or ErrProtocol for a TLS peer the client
	// does not trust (it will not heal by waiting).
	Sentinel error
	timeout  bool
	cause    error // kept for errors.As on certificate errors only
}

// Error returns the sentinel's text and Text: "provider unavailable:
// connection to api.onsip.com refused".
func (f *Failure) Error() string { return f.Sentinel.Error() + ": " + f.Text }

// Unwrap returns the sentinel, and the certificate error behind an
// untrusted peer so callers can inspect it with errors.As.
func (f *Failure) Unwrap() []error {
	if f.cause != nil {
		return []error{f.Sentinel, f.cause}
	}
	return []error{f.Sentinel}
}

// Timeout reports whether the failure was a network timeout, so
// net.Error-minded code keeps working.
func (f *Failure) Timeout() bool { return f.timeout }

// ErrMaybeSent marks a failure after a request that is not safe to repeat
// may have reached the server: it was not sent again, and it may have been
// carried out.
var ErrMaybeSent = errors.New("connection lost after the request was sent: it may have been carried out")

// Describe turns err, the failure of a request to host, into a [Failure].
// It must not be given a context's own error: callers report those as
// they are.
func Describe(err error, host string) *Failure {
	f := &Failure{Sentinel: sentinel.ErrUnavailable, timeout: isTimeout(err)}
	if errors.Is(err, ErrMaybeSent) {
		f.Text = ErrMaybeSent.Error()
		return f
	}
	if Untrusted(err) {
		f.Sentinel, f.cause = sentinel.ErrProtocol, certificateCause(err)
		f.Text = untrustedText(err, f.cause, host)
		return f
	}
	f.Text = unavailableText(err, host)
	if errors.Is(err, ErrBudgetSpent) {
		f.Text += "; the retry budget for it is spent"
	}
	return f
}

// untrustedText names the TLS problem and the host. cause is err's
// certificate error, from certificateCause.
func untrustedText(err, cause error, host string) string {
	var recordErr tls.RecordHeaderError
	if errors.As(err, &recordErr) || plainAnswer(err) {
		return host + " did not answer with TLS (is the endpoint http rather than https?)"
	}
	switch c := cause.(type) {
	case x509.UnknownAuthorityError:
		return "the TLS certificate of " + host + " is signed by an unknown authority"
	case x509.HostnameError:
		return "the TLS certificate presented by " + host + " is not valid for that name"
	case x509.CertificateInvalidError:
		if c.Reason == x509.Expired {
			return "the TLS certificate of " + host + " has expired or is not yet valid"
		}
	}
	return "the TLS certificate of " + host + " is not trusted"
}

// certificateCause returns the x509 error behind err, whose text names
// only certificate facts, never what the client sent.
func certificateCause(err error) error {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &unknownCA):
		return unknownCA
	case errors.As(err, &hostErr):
		return hostErr
	case errors.As(err, &invalidErr):
		return invalidErr
	}
	return nil
}

// unavailableText says why there was no answer. The error's own text is
// read only to classify; it is never repeated.
func unavailableText(err error, host string) string {
	var (
		dnsErr   *net.DNSError
		alertErr tls.AlertError
	)
	switch {
	case isTimeout(err):
		return "no answer from " + host + " in time"
	case errors.As(err, &dnsErr):
		return "cannot resolve " + host
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection to " + host + " refused"
	case errors.As(err, &alertErr):
		return "TLS handshake with " + host + " failed"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection to " + host + " closed before an answer"
	case strings.Contains(err.Error(), "malformed"):
		return host + " sent a malformed HTTP answer"
	}
	return "no answer from " + host + " (connection failed)"
}
