package onsip_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// TestDocSample is the sample of docs/providers/onsip.md ("Testing your
// own code against onsiptest"), word for word, so the page stays true.
func TestDocSample(t *testing.T) {
	srv := onsiptest.NewServer() // or NewTLSServer, with cfg.HTTPClient = srv.Client()
	t.Cleanup(srv.Close)
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "pw"})

	a, err := onsip.New(auth.Config{
		Endpoint:    srv.URL, // the fake's API URL, ending in /api
		Credentials: auth.Credentials{Username: "john.doe@example.onsip.com", Password: "pw"},
	})
	require.NoError(t, err)
	ctx := context.Background()

	// The first try gets a 503 and is retried; the retry meets an <Exception>.
	srv.FailNext(1, http.StatusServiceUnavailable)
	srv.ExceptionNext(1)
	_, err = a.Login(ctx)
	require.ErrorIs(t, err, auth.ErrUnavailable)
	require.Equal(t, 2, srv.Logins())

	// Healthy again: your code signs in.
	_, err = a.Session(ctx)
	require.NoError(t, err)

	// OnSIP forgets the session: the client logs in again, once, and sends
	// the call again.
	client, err := auth.NewClient(a, nil)
	require.NoError(t, err)
	srv.ForgetSessions()
	resp, err := client.PostForm(a.Endpoint(), url.Values{"Action": {"UserRead"}})
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 4, srv.Logins())
	require.Equal(t, 2, srv.Calls("UserRead"))

	// One session is open at OnSIP, and Logout ends it.
	require.Equal(t, 1, srv.ActiveSessions())
	require.NoError(t, a.Logout(ctx))
	require.Zero(t, srv.ActiveSessions())
}
