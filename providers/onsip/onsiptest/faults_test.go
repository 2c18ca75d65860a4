package onsiptest_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

var loginForm = url.Values{"Action": {"SessionCreate"}, "Username": {user}, "Password": {password}}

// send posts a login and returns the status, headers and body.
func send(t *testing.T, s *onsiptest.Server) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.PostForm(s.URL, loginForm)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestFailNext(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	s.FailNext(2, http.StatusServiceUnavailable)
	for range 2 {
		resp, body := send(t, s)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Empty(t, body)
		assert.Empty(t, resp.Header.Get("Retry-After"))
	}
	resp, body := send(t, s)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "<IsEstablished>true</IsEstablished>")
	assert.Equal(t, 3, s.Logins(), "faulted requests are counted")
	assert.Equal(t, 3, s.Requests())
	assert.Equal(t, 1, s.ActiveSessions(), "a faulted login opens no session")

	s.FailNext(0, http.StatusBadGateway)
	resp, _ = send(t, s)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "n = 0 asks for nothing")

	assert.Panics(t, func() { s.FailNext(1, 0) })
	assert.Panics(t, func() { s.FailNext(1, 600) })
}

func TestFailNextRetryAfter(t *testing.T) {
	s := newServer(t)
	s.FailNextRetryAfter(1, http.StatusTooManyRequests, 1500*time.Millisecond)
	resp, body := send(t, s)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "2", resp.Header.Get("Retry-After"))
	assert.Empty(t, body)
}

func TestExceptionNext(t *testing.T) {
	s := newServer(t)
	s.ExceptionNext(1)
	resp, body := send(t, s)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/xml; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>
<Exception xmlns="http://www.jnctn.net/ns/rest/2006-01">
<![CDATA[
`+onsiptest.ExceptionText+`
]]>
</Exception>
`, string(body))

	var exc struct {
		XMLName xml.Name
		Text    string `xml:",chardata"`
	}
	require.NoError(t, xml.Unmarshal(body, &exc))
	assert.Equal(t, xml.Name{Space: onsiptest.Namespace, Local: "Exception"}, exc.XMLName)
	assert.Equal(t, onsiptest.ExceptionText, strings.TrimSpace(exc.Text))
	assert.Equal(t, 1, s.Logins())
}

func TestGarbageNext(t *testing.T) {
	s := newServer(t)
	s.GarbageNext(1)
	resp, body := send(t, s)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotContains(t, string(body), "<")
	var doc document
	assert.Error(t, xml.Unmarshal(body, &doc))
	assert.Equal(t, 1, s.Requests())
}

func TestOversizeNext(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	s.OversizeNext(1)
	resp, err := http.PostForm(s.URL, loginForm)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, int64(-1), resp.ContentLength, "the size is not announced")

	// Every byte is well-formed XML; the document simply never ends.
	counter := &countingReader{r: resp.Body}
	dec := xml.NewDecoder(counter)
	var first xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			var syntax *xml.SyntaxError
			require.ErrorAs(t, err, &syntax)
			assert.Contains(t, syntax.Msg, "unexpected EOF")
			break
		}
		if se, ok := tok.(xml.StartElement); ok && first.Name.Local == "" {
			first = se
		}
	}
	assert.Equal(t, xml.Name{Space: onsiptest.Namespace, Local: "Response"}, first.Name)
	assert.Greater(t, counter.n, authtest.OversizeBytes)
	assert.Greater(t, counter.n, 1<<20)
	assert.Zero(t, s.ActiveSessions())

	resp, body := send(t, s)
	assert.Less(t, len(body), 4096, "only the next n answers are oversized")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestFaultOrder(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	s.OversizeNext(1)
	s.FailNext(2, http.StatusInternalServerError)
	s.GarbageNext(1)
	s.ExceptionNext(1)
	s.FailNextRetryAfter(1, http.StatusServiceUnavailable, time.Second)

	_, body := send(t, s)
	assert.Greater(t, len(body), authtest.OversizeBytes, "OversizeNext, asked first, comes first")
	for range 2 {
		resp, _ := send(t, s)
		assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "then FailNext, twice")
	}
	_, body = send(t, s)
	assert.NotContains(t, string(body), "<", "then GarbageNext")
	_, body = send(t, s)
	assert.Contains(t, string(body), "<Exception", "then ExceptionNext")
	resp, _ := send(t, s)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "then FailNextRetryAfter")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	_, body = send(t, s)
	assert.Contains(t, string(body), "<IsEstablished>true</IsEstablished>", "then the real answer")
	assert.Equal(t, 7, s.Logins())
}

func TestClearFaults(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	s.FailNext(5, http.StatusBadGateway)
	s.ExceptionNext(3)
	s.SetDelay(time.Minute)
	s.ClearFaults()

	start := time.Now()
	resp, body := send(t, s)
	assert.Less(t, time.Since(start), 30*time.Second, "the delay is cleared")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "<IsEstablished>true</IsEstablished>", "the pending answers are dropped")

	s.GarbageNext(1)
	_, body = send(t, s)
	assert.NotContains(t, string(body), "<", "faults asked for after ClearFaults apply")
}

func TestSetDelay(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	s.SetDelay(100 * time.Millisecond)
	start := time.Now()
	resp, _ := send(t, s)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	s.SetDelay(0)
	start = time.Now()
	send(t, s)
	assert.Less(t, time.Since(start), 100*time.Millisecond)
}

func TestSetDelayEndsWithTheRequestContext(t *testing.T) {
	s := newServer(t)
	s.AddUser(onsiptest.User{Username: user, Password: password})
	s.SetDelay(time.Minute)
	s.FailNext(1, http.StatusServiceUnavailable)

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, strings.NewReader(loginForm.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	start := time.Now()
	_, err = http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, 1, s.Logins(), "the abandoned request is counted")

	// The abandoned request did not use up the fault or open a session.
	s.SetDelay(0)
	resp, _ := send(t, s)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Zero(t, s.ActiveSessions())
}

func TestCloseCutsDelayShort(t *testing.T) {
	s := onsiptest.NewServer()
	s.SetDelay(time.Minute)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.PostForm(s.URL, loginForm)
		if err == nil {
			resp.Body.Close()
			err = errors.New("got an answer")
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return s.Requests() == 1 }, 5*time.Second, 5*time.Millisecond)
	start := time.Now()
	s.Close()
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Error(t, <-errc, "the waiting request is cut off, not answered")
}
