package ipcortex_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// TestNoPermission is the "refused action" sample of
// docs/providers/ipcortex.md, word for word, so the page stays true.
func TestNoPermission(t *testing.T) {
	srv := ipcortextest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddUser(ipcortextest.User{Login: "jdoe", Password: "pw"})
	a, err := ipcortex.New(auth.Config{
		Endpoint:    srv.URL,
		Credentials: auth.Credentials{Username: "jdoe", Password: "pw"},
	})
	require.NoError(t, err)
	client, err := auth.NewClient(a, srv.Client())
	require.NoError(t, err)

	// Every call is refused as for a user without permission: the first
	// costs one new login (the session renewed in place), then your code
	// reads the PBX's answer.
	srv.DenyCalls(true)
	for range 3 {
		resp, err := client.Post(srv.URL+"/rest/call/hangup", "application/json", strings.NewReader(`{"call":1}`))
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Contains(t, string(body), `"message":"permission denied"`)
	}
	require.Equal(t, 2, srv.Logins())
	require.Equal(t, 1, srv.ActiveSessions())

	require.NoError(t, a.Logout(context.Background()))
	require.Zero(t, srv.ActiveSessions())
}
