package ipcortex_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// TestGoldenSampleAnswer decodes the vendor page's sample login answer
// (testdata/sample-answer.json: the page's fields and layout, made valid
// JSON by giving its two "permname" entries distinct names and "result" one
// of its two values).
func TestGoldenSampleAnswer(t *testing.T) {
	body, err := os.ReadFile("testdata/sample-answer.json")
	require.NoError(t, err)
	resp := &provider.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: body}

	want := &auth.Session{
		Provider:    ipcortex.Name,
		ID:          "sessionCookie",
		UserID:      "123",
		Username:    "loginName",
		Name:        "realName",
		Roles:       []string{"otherperm", "permname"},
		Permissions: map[string]string{"permname": "company", "otherperm": "yes"},
		Attributes:  map[string]string{"company": "company", "home": "company"},
	}
	got, err := ipcortex.DecodeResponse(resp, auth.Credentials{Username: "loginName", Password: "pw"})
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// With an API key the same answer opens no session.
	want.ID = ""
	got, err = ipcortex.DecodeResponse(resp, auth.Credentials{APIKey: "key"})
	require.NoError(t, err)
	assert.Equal(t, want, got)

	// The cookie, when set, is the session.
	resp.Header.Set("Set-Cookie", "Red60urne=fromCookie; Path=/; HttpOnly")
	got, err = ipcortex.DecodeResponse(resp, auth.Credentials{Username: "loginName", Password: "pw"})
	require.NoError(t, err)
	assert.Equal(t, auth.Secret("fromCookie"), got.ID)
}
