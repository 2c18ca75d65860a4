package transport_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://api.example.com/a", "https://api.example.com/b?x=1", true},
		{"https://api.example.com/", "https://api.example.com:443/", true},
		{"http://api.example.com/", "http://api.example.com:80/", true},
		{"http://API.Example.COM/", "http://api.example.com/", true},
		{"HTTPS://api.example.com/", "https://api.example.com:443/", true},
		{"http://[::1]/", "http://[::1]:80/", true},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/x", true},
		{"http://u:p@api.example.com/", "http://api.example.com/", true},

		{"http://api.example.com/", "https://api.example.com/", false},
		{"http://api.example.com:443/", "https://api.example.com/", false},
		{"https://api.example.com:80/", "http://api.example.com/", false},
		{"https://api.example.com/", "https://api.example.com:8443/", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8081/", false},
		{"http://127.0.0.1:8080/", "http://localhost:8080/", false},
		{"https://api.example.com/", "https://api.example.com.evil.test/", false},
		{"https://api.example.com/", "https://evil.test/", false},
		{"http://[::1]/", "http://[::2]/", false},
		{"wss://api.example.com/", "wss://api.example.com/", true},
		{"wss://api.example.com/", "wss://api.example.com:443/", false}, // no default port known
		{"wss://api.example.com/", "https://api.example.com/", false},
	} {
		a, b := mustRequest(t, tc.a), mustRequest(t, tc.b)
		assert.Equal(t, tc.want, transport.SameOrigin(a.URL, transport.Origin(b.URL)), "%s vs %s", tc.a, tc.b)
		assert.Equal(t, tc.want, transport.SameOrigin(b.URL, transport.Origin(a.URL)), "%s vs %s", tc.b, tc.a)
	}
}

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.onsip.com/api":        "https://api.onsip.com:443",
		"HTTPS://API.OnSIP.com:443/api/":   "https://api.onsip.com:443",
		"http://127.0.0.1:8080/x?y=1":      "http://127.0.0.1:8080",
		"http://[::1]/":                    "http://[::1]:80",
		"https://u:p@pbx.example.com:8443": "https://pbx.example.com:8443",
	} {
		assert.Equal(t, want, transport.Origin(mustRequest(t, raw).URL), raw)
	}
	assert.False(t, transport.SameOrigin(nil, "https://api.onsip.com:443"))
	assert.False(t, transport.SameOrigin(mustRequest(t, "https://api.onsip.com/").URL, "not an origin"))
}

func mustRequest(t *testing.T, raw string) *http.Request {
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return &http.Request{URL: u}
}
