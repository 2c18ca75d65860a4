package provider_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// MarkRepeatable marks NewClient's shallow copy in a header of its own:
// the caller's request stays as it was, and the mark is not sent.
func TestMarkRepeatable(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got <- r.Header.Clone() }))
	defer srv.Close()
	orig, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("Action=UserRead"))
	require.NoError(t, err)
	orig.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.False(t, provider.Repeatable(orig))

	req := new(http.Request)
	*req = *orig // as NewClient copies it
	provider.MarkRepeatable(req)
	assert.True(t, provider.Repeatable(req))
	assert.False(t, provider.Repeatable(orig), "the caller's request was marked")
	assert.Equal(t, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, orig.Header)

	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	header := <-got
	assert.NotContains(t, header, "Idempotency-Key")
	assert.Equal(t, "application/x-www-form-urlencoded", header.Get("Content-Type"))
}

// A request already safe to repeat, by its method or the caller's mark,
// is left as it is, at no cost.
func TestMarkRepeatableLeavesRepeatable(t *testing.T) {
	for name, mk := range map[string]func() *http.Request{
		"GET":    func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) },
		"PUT":    func() *http.Request { return httptest.NewRequest(http.MethodPut, "/", nil) },
		"DELETE": func() *http.Request { return httptest.NewRequest(http.MethodDelete, "/", nil) },
		"POST with a key": func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("Idempotency-Key", "k1")
			return r
		},
		"POST with an X- key": func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("X-Idempotency-Key", "k1")
			return r
		},
	} {
		req := mk()
		require.True(t, provider.Repeatable(req), name)
		before := req.Header.Clone()
		if n := testing.AllocsPerRun(10, func() { provider.MarkRepeatable(req) }); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
		assert.Equal(t, before, req.Header, name)
	}
	post := httptest.NewRequest(http.MethodPost, "/", nil)
	assert.False(t, provider.Repeatable(post), "a POST")
}
