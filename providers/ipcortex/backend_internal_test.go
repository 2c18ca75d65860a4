package ipcortex

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestJoinPath: the short way writes exactly what url.JoinPath does, for
// every endpoint shape New accepts.
func TestJoinPath(t *testing.T) {
	for _, endpoint := range []string{
		"https://pbx.example.com", "https://pbx.example.com/", "https://pbx.example.com//",
		"https://pbx.example.com:8443/sub", "https://pbx.example.com/sub/", "http://127.0.0.1:8080/a/b",
		"https://pbx.example.com/a//b", "https://pbx.example.com/a/./b", "https://pbx.example.com/a/../b",
		"https://pbx.example.com/.well", "https://pbx.example.com/%7Euser", "https://[::1]:8443/x",
	} {
		u, err := url.Parse(endpoint)
		if !assert.NoError(t, err) {
			continue
		}
		for _, path := range []string{loginPath, logoutPath} {
			assert.Equal(t, u.JoinPath(path).String(), joinPath(endpoint, path), "%s + %s", endpoint, path)
		}
	}
}
