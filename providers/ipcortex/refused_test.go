package ipcortex_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// closeCounter is a body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestRefused(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{Username: "u", Password: "p"}})
	huge := `{"result":"fail","pad":"` + strings.Repeat("x", provider.MaxResponseSize) + `"}`
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   bool
	}{
		{"401", http.StatusUnauthorized, ``, true},
		{"403", http.StatusForbidden, `<html>forbidden</html>`, true},
		{"fail", http.StatusOK, `{"result":"fail","message":"authentication required"}`, true},
		{"fail after white space", http.StatusOK, "\r\n {\"result\":\"fail\"}", true},
		{"success", http.StatusOK, `{"result":"success","data":{"path":"/rest/x"}}`, false},
		{"no result", http.StatusOK, `{"data":[]}`, false},
		{"result not a string", http.StatusOK, `{"result":false}`, false},
		{"array", http.StatusOK, `[{"result":"fail"}]`, false},
		{"not JSON", http.StatusOK, `result: fail`, false},
		{"malformed", http.StatusOK, `{"result":"fail"`, false},
		{"empty", http.StatusOK, ``, false},
		{"fail over 1 MiB", http.StatusOK, huge, false},
		{"fail with 400: a failed call", http.StatusBadRequest, `{"result":"fail"}`, false},
		{"fail with 500", http.StatusInternalServerError, `{"result":"fail"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &closeCounter{Reader: strings.NewReader(tc.body)}
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{}, Body: body}
			assert.Equal(t, tc.want, a.Refused(resp))
			// The caller still reads the whole body, and closing it closes
			// the original.
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.True(t, string(got) == tc.body, "the body read after Refused differs (%d bytes, want %d)", len(got), len(tc.body))
			require.NoError(t, resp.Body.Close())
			assert.Equal(t, 1, body.closed)
		})
	}
}

// TestRefusedReadsOnlyWhatItNeeds: a body that is no JSON object is not
// read past its first bytes, so a download is not pulled into memory.
func TestRefusedReadsOnlyWhatItNeeds(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: "k"}})
	src := &countingReader{r: strings.NewReader("PK\x03\x04" + strings.Repeat("z", 10<<20))}
	resp := &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(src)}
	assert.False(t, a.Refused(resp))
	assert.LessOrEqual(t, src.n, 512)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.EqualValues(t, 4+10<<20, n)
}

// TestRefusedDownloadNotSized: a download that says its length (1 MiB) is
// not given a buffer of that size when its first bytes show it is no JSON
// object: Refused sets aside a few KiB, whatever the Content-Length.
func TestRefusedDownloadNotSized(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: "k"}})
	const size = 1 << 20
	src := &countingReader{r: strings.NewReader("RIFF\x24\x00\x10\x00WAVEfmt " + strings.Repeat("\x00\x01", size/2-8))}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"audio/wav"}},
		ContentLength: size, Body: io.NopCloser(src)}
	assert.False(t, a.Refused(resp))
	assert.LessOrEqual(t, src.largest, 8<<10, "the buffer Refused read the download into")
	assert.LessOrEqual(t, src.n, 512)
}

// TestRefusedKeepsReadErrors: a body that fails part way still fails for
// the caller.
func TestRefusedKeepsReadErrors(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: "k"}})
	boom := errors.New("connection reset")
	resp := &http.Response{StatusCode: http.StatusOK,
		Body: io.NopCloser(io.MultiReader(strings.NewReader(`{"result":`), iotest.ErrReader(boom)))}
	assert.False(t, a.Refused(resp))
	got, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, `{"result":`, string(got))
}

func TestRefusedNoBody(t *testing.T) {
	a := mustNew(t, auth.Config{Endpoint: pbx, Credentials: auth.Credentials{APIKey: "k"}})
	assert.False(t, a.Refused(nil))
	assert.False(t, a.Refused(&http.Response{StatusCode: http.StatusOK}))
	assert.False(t, a.Refused(&http.Response{StatusCode: http.StatusOK, Body: http.NoBody}))
	assert.True(t, a.Refused(&http.Response{StatusCode: http.StatusUnauthorized}))
}

// countingReader counts the bytes read from r, and notes the largest
// buffer a read was handed: how much memory the reader set aside.
type countingReader struct {
	r       io.Reader
	n       int
	largest int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.largest = max(c.largest, cap(p))
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
