package transport_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/sentinel"
	"github.com/pbxauth/pbxauth/internal/transport"
)

const echoed = "pw-SECRET-42"

// rawServer answers every request by writing answer on the bare
// connection, after reading the request: a hostile or broken server whose
// bytes net/http quotes in its errors.
func rawServer(t *testing.T, answer string) string {
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = http.ReadRequest(bufio.NewReader(c))
				_, _ = io.WriteString(c, answer)
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// Every failure is described in pbxauth's words: neither the server's
// bytes that net/http quotes nor the request URL's query reach the text.
func TestDescribeQuotesNothing(t *testing.T) {
	for name, answer := range map[string]string{
		"malformed status code": "HTTP/1.1 2x0 " + echoed + "\r\n\r\n",
		"malformed version":     "HTTP/" + echoed + " 200 OK\r\n\r\n",
		"malformed response":    echoed + "\r\n\r\n",
		"malformed header":      "HTTP/1.1 200 OK\r\n" + echoed + "\r\n\r\n",
		"bad content length":    "HTTP/1.1 200 OK\r\nContent-Length: " + echoed + "\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			url := rawServer(t, answer) + "/api?SessionId=" + echoed
			client := &http.Client{Transport: &transport.Transport{Base: newBase(t), Policy: transport.Policy{MaxAttempts: 1}}}
			resp, err := client.Get(url)
			if resp != nil {
				resp.Body.Close()
			}
			require.Error(t, err)
			require.True(t, strings.Contains(err.Error(), echoed), "the test needs net/http to quote the secret")
			f := transport.Describe(err, "pbx.example.com")
			assert.False(t, strings.Contains(f.Error(), echoed), "the secret is in the error's text")
			assert.False(t, strings.Contains(f.Error(), "SessionId"), "the session's parameter is in the error's text")
			assert.ErrorIs(t, f, sentinel.ErrUnavailable)
		})
	}
}

func TestDescribeUntrustedPeers(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, err := (&http.Client{Transport: newBase(t)}).Get(srv.URL)
	require.Error(t, err)
	f := transport.Describe(err, "pbx.example.com")
	assert.Equal(t, "the TLS certificate of pbx.example.com is signed by an unknown authority", f.Text)
	assert.ErrorIs(t, f, sentinel.ErrProtocol)
	assert.NotErrorIs(t, f, sentinel.ErrUnavailable)
	var unknownCA x509.UnknownAuthorityError
	assert.ErrorAs(t, f, &unknownCA, "the certificate error stays inspectable")

	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	_, err = (&http.Client{Transport: newBase(t)}).Get(strings.Replace(plain.URL, "http:", "https:", 1))
	require.Error(t, err)
	f = transport.Describe(err, "pbx.example.com")
	assert.Equal(t, "pbx.example.com did not answer with TLS (is the endpoint http rather than https?)", f.Text)
	assert.ErrorIs(t, f, sentinel.ErrProtocol)
}

// Each certificate problem is named, wrapped as net/http wraps it, and
// stays inspectable with errors.As.
func TestDescribeCertificateProblems(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Get", URL: "https://pbx.example.com/", Err: &tls.CertificateVerificationError{Err: err}}
	}
	for _, tc := range []struct {
		err   error
		text  string
		cause bool
	}{
		{wrap(x509.UnknownAuthorityError{}), "the TLS certificate of h is signed by an unknown authority", true},
		{wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "h"}), "the TLS certificate presented by h is not valid for that name", true},
		{wrap(x509.CertificateInvalidError{Reason: x509.Expired}), "the TLS certificate of h has expired or is not yet valid", true},
		{wrap(x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}), "the TLS certificate of h is not trusted", true},
		{wrap(errors.New("a verifier of the caller's own refused it")), "the TLS certificate of h is not trusted", false},
	} {
		f := transport.Describe(tc.err, "h")
		assert.Equal(t, tc.text, f.Text)
		assert.ErrorIs(t, f, sentinel.ErrProtocol)
		assert.Equal(t, tc.cause, len(f.Unwrap()) == 2, "%s: the x509 error is kept", tc.text)
	}
}

func TestDescribeKinds(t *testing.T) {
	_, err := (&http.Client{Transport: newBase(t)}).Get("http://" + closedPort(t))
	assert.Equal(t, "connection to h refused", transport.Describe(err, "h").Text)

	_, err = (&http.Client{Transport: newBase(t)}).Get("http://no-such-host.invalid/")
	assert.Equal(t, "cannot resolve h", transport.Describe(err, "h").Text)

	var timeout net.Error = &net.OpError{Op: "read", Err: &timeoutError{}}
	f := transport.Describe(timeout, "h")
	assert.Equal(t, "no answer from h in time", f.Text)
	assert.True(t, f.Timeout())

	f = transport.Describe(errors.Join(io.EOF, transport.ErrBudgetSpent), "h")
	assert.Equal(t, "connection to h closed before an answer; the retry budget for it is spent", f.Text)
}

type timeoutError struct{}

func (*timeoutError) Error() string   { return "i/o timeout" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }
