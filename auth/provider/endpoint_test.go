package provider_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct {
		endpoint, fallback string
		insecure           bool
		want               string // the URL, or "" for an error
	}{
		{"", "https://api.example.com/api", false, "https://api.example.com/api"},
		{"https://pbx.example.com", "", false, "https://pbx.example.com"},
		{"http://127.0.0.1:8080/api", "", false, "http://127.0.0.1:8080/api"},
		{"http://[::1]:8080", "", false, "http://[::1]:8080"},
		{"http://localhost:1", "", false, "http://localhost:1"},
		{"http://pbx.example.com", "", false, ""},
		{"http://pbx.example.com", "", true, "http://pbx.example.com"},
		{"http://10.0.0.1", "", false, ""},
		{"", "", false, ""},
		{"ftp://pbx.example.com", "", false, ""},
		{"pbx.example.com", "", false, ""},
		{"https://", "", false, ""},
		{"https://user:pw@pbx.example.com", "", false, ""},
		{"https://pbx.example.com/?x=1", "", false, ""},
		{"https://pbx.example.com/?", "", false, ""},
		{"https://pbx.example.com/#f", "", false, ""},
		{"https://pbx example.com", "", false, ""},
		{"://", "", false, ""},
	} {
		u, err := provider.Endpoint(auth.Config{Endpoint: tc.endpoint, AllowInsecureHTTP: tc.insecure}, tc.fallback)
		if tc.want == "" {
			assert.Error(t, err, "%q", tc.endpoint)
			continue
		}
		if assert.NoError(t, err, "%q", tc.endpoint) {
			assert.Equal(t, tc.want, u.String())
		}
	}
}

func TestEndpointNeverEchoesUserInfo(t *testing.T) {
	_, err := provider.Endpoint(auth.Config{Endpoint: "https://user:s3cr3t@pbx.example.com"}, "")
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Error("the error quotes the endpoint's password")
	}
}

// An endpoint's refusal quotes its scheme, host and path only: a query,
// a fragment, user info or an opaque part may carry a credential, whatever
// else is wrong with the URL.
func TestEndpointErrorsQuoteNoCredential(t *testing.T) {
	for i, endpoint := range []string{
		"https://pbx.example/api?SessionId=s3cr3t",
		"https://pbx.example/api?#s3cr3t",
		"https://pbx.example/api#s3cr3t",
		"ftp://pbx.example/api?key=s3cr3t",
		"ftp://user:s3cr3t@pbx.example/api",
		"https://s3cr3t@pbx.example/api",
		"https://s3cr3t:@pbx.example/api",
		"https:///api?key=s3cr3t",
		"https:s3cr3t",
		"mailto:s3cr3t@pbx.example",
		"http://pbx.example/api?key=s3cr3t",
	} {
		_, err := provider.Endpoint(auth.Config{Endpoint: endpoint}, "")
		if assert.Error(t, err, "endpoint #%d", i) {
			assert.False(t, strings.Contains(err.Error(), "s3cr3t"), "the error for endpoint #%d quotes its secret", i)
		}
	}
	_, err := provider.Endpoint(auth.Config{Endpoint: "ftp://pbx.example/api?key=s3cr3t"}, "")
	const want = `Config.Endpoint "ftp://pbx.example/api": scheme must be https (or http to loopback)`
	assert.True(t, err != nil && err.Error() == want, "the error still names the endpoint; want %s", want) // not printed: it may quote the secret
}

func TestEndpointRefusesNegativeNumbers(t *testing.T) {
	for _, cfg := range []auth.Config{
		{Retry: auth.RetryPolicy{MaxAttempts: -1}},
		{Retry: auth.RetryPolicy{BaseDelay: -time.Second}},
		{Retry: auth.RetryPolicy{MaxDelay: -time.Second}},
		{SessionTTL: -time.Second},
	} {
		_, err := provider.Endpoint(cfg, "https://x.example")
		assert.Error(t, err)
	}
}

func TestCanonical(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.onsip.com/api":        "https://api.onsip.com/api",
		"HTTPS://API.OnSIP.com:443/api/":   "https://api.onsip.com/api",
		"https://pbx.example.com/":         "https://pbx.example.com",
		"https://pbx.example.com":          "https://pbx.example.com",
		"https://pbx.example.com:8443/sub": "https://pbx.example.com:8443/sub",
		"http://127.0.0.1:80/":             "http://127.0.0.1",
		"http://[::1]:8080/x/":             "http://[::1]:8080/x",
		"http://[::1]/":                    "http://[::1]",
	} {
		assert.Equal(t, want, provider.Canonical(mustURL(raw)), raw)
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "api.localhost": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true,
		"10.0.0.1": false, "pbx.example.com": false, "localhost.example.com": false, "": false,
	} {
		assert.Equal(t, want, provider.IsLoopback(host), host)
	}
}
