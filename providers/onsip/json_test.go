package onsip_test

import (
	"encoding/json"
	"io"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// A call carrying Output=json gets OnSIP's JSON answer; a session refused
// in one is noticed as in XML: one re-login for every call refused at
// once, and the calls succeed.
func TestClientReloginOnAJSONRefusal(t *testing.T) {
	a, srv := start(t)
	c, err := auth.NewClient(a, nil)
	require.NoError(t, err)
	call := func() error {
		resp, err := c.PostForm(srv.URL, url.Values{"Action": {"UserRead"}, "Output": {"json"}})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var doc struct {
			Response struct {
				Context struct{ Action struct{ IsCompleted string } }
			}
		}
		body, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(body, &doc); err != nil {
			return err
		}
		if doc.Response.Context.Action.IsCompleted != "true" {
			return assert.AnError
		}
		return nil
	}
	require.NoError(t, call())
	require.Equal(t, 1, srv.Logins())

	srv.ForgetSessions()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() { errs[i] = call() })
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.Equal(t, 2, srv.Logins(), "one re-login for 20 calls refused in JSON")
	assert.Equal(t, 1, srv.ActiveSessions())
}
