package provider_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

var fastRetry = auth.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}

// callBackend hands its Caller to the test: a backend whose login is one
// request to url.
type callBackend struct {
	url  string
	resp *provider.Response
}

func (b *callBackend) OpenSession(ctx context.Context, call *provider.Caller, _ *auth.Session) (*auth.Session, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, strings.NewReader("body"))
	if err != nil {
		return nil, false, err
	}
	b.resp, err = call.Do(req, auth.OpLogin)
	if err != nil {
		return nil, false, err
	}
	return &auth.Session{ID: "s"}, false, nil
}

func (b *callBackend) CloseSession(context.Context, *provider.Caller, *auth.Session) error {
	return nil
}

// do logs in through a cache over cfg whose backend posts to url, and
// returns the answer the Caller gave.
func do(ctx context.Context, cfg auth.Config, url string) (*provider.Response, error) {
	b := &callBackend{url: url}
	_, err := newCache(cfg, b).Login(ctx)
	return b.resp, err
}

func TestCallerDo(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("other origin"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			http.SetCookie(w, &http.Cookie{Name: "c", Value: "v"})
			_, _ = w.Write([]byte("fine"))
		case "/redirect":
			http.Redirect(w, r, other.URL, http.StatusFound)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", provider.MaxResponseSize+1)))
		case "/exact":
			_, _ = w.Write([]byte(strings.Repeat("x", provider.MaxResponseSize)))
		case "/slow":
			_, _ = io.Copy(io.Discard, r.Body) // so the server sees the client leave
			<-r.Context().Done()
		case "/wait":
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	cfg := auth.Config{Retry: fastRetry, HTTPClient: &http.Client{Jar: jar}}
	ctx := context.Background()

	resp, err := do(ctx, cfg, srv.URL+"/ok")
	require.NoError(t, err)
	assert.Equal(t, "fine", string(resp.Body))
	assert.Equal(t, "v", resp.Cookie("c").Value)
	assert.Nil(t, resp.Cookie("absent"))
	u, _ := url.Parse(srv.URL)
	assert.Empty(t, jar.Cookies(u), "the configured client's cookie jar is never used")

	_, err = do(ctx, cfg, srv.URL+"/redirect")
	requireSentinel(t, err, auth.ErrProtocol) // a redirect is not followed

	_, err = do(ctx, cfg, srv.URL+"/big")
	requireSentinel(t, err, auth.ErrProtocol)
	resp, err = do(ctx, cfg, srv.URL+"/exact")
	require.NoError(t, err)
	assert.Len(t, resp.Body, provider.MaxResponseSize)

	_, err = do(ctx, cfg, srv.URL+"/down")
	e := requireSentinel(t, err, auth.ErrUnavailable)
	assert.Zero(t, e.RetryAfter)

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = do(short, cfg, srv.URL+"/slow")
	requireSentinel(t, err, context.DeadlineExceeded)
}

// A server asking to wait longer than the policy allows is not retried,
// and the error says how long it asked for.
func TestCallerRetryAfterBeyondThePolicy(t *testing.T) {
	var hits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits++
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	cfg := auth.Config{Retry: auth.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond}}
	_, err := do(context.Background(), cfg, srv.URL)
	e := requireSentinel(t, err, auth.ErrUnavailable)
	assert.Equal(t, 60*time.Second, e.RetryAfter)
	assert.Equal(t, 1, hits, "one request: the server's wait is not cut short")
}

func TestCallerNoAnswer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	_, err = do(context.Background(), auth.Config{Retry: fastRetry}, "http://"+addr+"/")
	e := requireSentinel(t, err, auth.ErrUnavailable)
	assert.Zero(t, e.StatusCode)
	assert.Contains(t, err.Error(), "connection to 127.0.0.1 refused")

	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so the server sees the client leave
		<-r.Context().Done()
	}))
	defer hang.Close()
	_, err = do(context.Background(), auth.Config{Retry: auth.RetryPolicy{MaxAttempts: 1}, HTTPClient: &http.Client{Timeout: 20 * time.Millisecond}}, hang.URL)
	requireSentinel(t, err, auth.ErrUnavailable) // the client's own Timeout is the provider not answering
}

// A certificate the client does not trust is ErrProtocol, names the
// problem and the host, and is not retried.
func TestCallerUntrustedCertificate(t *testing.T) {
	var hits int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits++ }))
	srv.Config.ErrorLog = quietLog()
	srv.StartTLS()
	defer srv.Close()
	_, err := do(context.Background(), auth.Config{Retry: fastRetry}, srv.URL)
	requireSentinel(t, err, auth.ErrProtocol)
	assert.Contains(t, err.Error(), "TLS certificate of 127.0.0.1 is signed by an unknown authority")
	assert.Zero(t, hits)
}

// A hostile server quoting the request in a malformed answer: net/http
// quotes those bytes in its error, and none of them reaches ours.
func TestCallerQuotesNothingOfAMalformedAnswer(t *testing.T) {
	const pw = "pw-SECRET-0123456789"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				n, _ := c.Read(buf)
				_, _ = c.Write([]byte("HTTP/1.1 2x0 " + strings.ReplaceAll(string(buf[:n]), "\r\n", " ") + " " + pw + "\r\n\r\n"))
			}()
		}
	}()
	_, err = do(context.Background(), auth.Config{Retry: fastRetry, Credentials: auth.Credentials{Username: "u", Password: pw}},
		"http://"+ln.Addr().String()+"/api?SessionId="+pw)
	requireSentinel(t, err, auth.ErrUnavailable)
	require.False(t, strings.Contains(err.Error(), pw), "the password is in the error's text")
	assert.Contains(t, err.Error(), "malformed HTTP answer")
}
