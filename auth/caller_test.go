package auth_test

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
)

var fastRetry = auth.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}

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
			_, _ = w.Write([]byte(strings.Repeat("x", auth.MaxResponseSize+1)))
		case "/exact":
			_, _ = w.Write([]byte(strings.Repeat("x", auth.MaxResponseSize)))
		case "/slow":
			_, _ = io.Copy(io.Discard, r.Body) // so the server sees the client leave
			<-r.Context().Done()
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := auth.NewCaller("p", auth.Config{Retry: fastRetry, HTTPClient: &http.Client{Jar: jar}})
	do := func(ctx context.Context, path string) (*auth.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+path, strings.NewReader("body"))
		require.NoError(t, err)
		return c.Do(req, auth.OpLogin)
	}
	ctx := context.Background()

	resp, err := do(ctx, "/ok")
	require.NoError(t, err)
	assert.Equal(t, "fine", string(resp.Body))
	assert.Equal(t, "v", resp.Cookie("c").Value)
	assert.Nil(t, resp.Cookie("absent"))
	u, _ := url.Parse(srv.URL)
	assert.Empty(t, jar.Cookies(u), "the caller's own cookie jar is never used")

	_, err = do(ctx, "/redirect")
	assert.ErrorIs(t, err, auth.ErrProtocol, "a redirect is not followed")

	_, err = do(ctx, "/big")
	assert.ErrorIs(t, err, auth.ErrProtocol)
	resp, err = do(ctx, "/exact")
	require.NoError(t, err)
	assert.Len(t, resp.Body, auth.MaxResponseSize)

	_, err = do(ctx, "/down")
	assert.ErrorIs(t, err, auth.ErrUnavailable)

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = do(short, "/slow")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, auth.ErrUnavailable)
}

func TestCallerNoAnswer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c := auth.NewCaller("p", auth.Config{Retry: fastRetry})
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	_, err = c.Do(req, auth.OpLogin)
	assert.ErrorIs(t, err, auth.ErrUnavailable)
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	assert.Zero(t, e.StatusCode)

	timeout := auth.NewCaller("p", auth.Config{Retry: auth.RetryPolicy{MaxAttempts: 1}, HTTPClient: &http.Client{Timeout: 20 * time.Millisecond}})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	req, _ = http.NewRequest(http.MethodGet, hang.URL, nil)
	_, err = timeout.Do(req, auth.OpLogin)
	assert.ErrorIs(t, err, auth.ErrUnavailable, "the client's own Timeout is the provider not answering")
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
}
