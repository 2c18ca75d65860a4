package ipcortex_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// logoutServer logs in everyone with session "s-1" and answers a logout
// with status and body, recording the logout requests.
func logoutServer(t *testing.T, status int, body string) (*httptest.Server, func() []sent) {
	var (
		mu      sync.Mutex
		logouts []sent
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/rest/auth/" {
			w.Header().Set("Set-Cookie", "Red60urne=s-1; Path=/")
			_, _ = io.WriteString(w, `{"result":"success","user":{"id":1,"session":"s-1"}}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		logouts = append(logouts, sent{r.Method, r.URL.Path, r.Header.Clone(), string(b)})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []sent {
		mu.Lock()
		defer mu.Unlock()
		return append([]sent(nil), logouts...)
	}
}

func TestLogoutRequest(t *testing.T) {
	srv, logouts := logoutServer(t, http.StatusOK, `{"result":"success"}`)
	a := mustNew(t, passwordConfig(srv.URL))
	ctx := context.Background()
	_, err := a.Login(ctx)
	require.NoError(t, err)
	require.NoError(t, a.Logout(ctx))

	got := logouts()
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPost, got[0].method)
	assert.Equal(t, "/rest/auth/logout", got[0].path)
	assert.JSONEq(t, `{"auth":{"type":"auth"}}`, got[0].body)
	assert.Equal(t, "application/json", got[0].header.Get("Content-Type"))
	assert.Equal(t, []string{"Red60urne=s-1"}, got[0].header.Values("Cookie"))
	assert.Empty(t, got[0].header.Get("Authorization"))

	require.NoError(t, a.Logout(ctx), "nothing held")
	assert.Len(t, logouts(), 1)
}

// TestLogoutAnswers: which answers end the session and which keep it held
// for another try.
func TestLogoutAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		wantErr error // nil: the session is ended and forgotten
	}{
		{"success", http.StatusOK, `{"result":"success"}`, nil},
		{"fail: already gone", http.StatusOK, `{"result":"fail"}`, nil},
		{"401: already gone", http.StatusUnauthorized, ``, nil},
		{"403: already gone", http.StatusForbidden, `{"result":"fail"}`, nil},
		{"503", http.StatusServiceUnavailable, ``, auth.ErrUnavailable},
		{"500", http.StatusInternalServerError, `{"result":"fail"}`, auth.ErrUnavailable},
		{"not JSON", http.StatusOK, `<html/>`, auth.ErrProtocol},
		{"no result", http.StatusOK, `{}`, auth.ErrProtocol},
		{"other result", http.StatusOK, `{"result":"maybe"}`, auth.ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := logoutServer(t, tc.status, tc.body)
			a := mustNew(t, passwordConfig(srv.URL))
			ctx := context.Background()
			s, err := a.Login(ctx)
			require.NoError(t, err)
			err = a.Logout(ctx)
			held, _ := a.Session(ctx)
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.NotSame(t, s, held, "the ended session is still held")
				return
			}
			e := requireErrorIs(t, err, tc.wantErr)
			assert.Equal(t, auth.OpLogout, e.Op)
			assert.Same(t, s, held, "a failed logout dropped the session")
		})
	}
}

func TestLogoutUnreachable(t *testing.T) {
	srv, _ := logoutServer(t, http.StatusOK, `{"result":"success"}`)
	a := mustNew(t, passwordConfig(srv.URL))
	ctx := context.Background()
	s, err := a.Login(ctx)
	require.NoError(t, err)
	srv.Close()
	requireErrorIs(t, a.Logout(ctx), auth.ErrUnavailable)
	held, err := a.Session(ctx)
	require.NoError(t, err)
	assert.Same(t, s, held)
}

func TestLogoutWithKeySendsNothing(t *testing.T) {
	srv := newStub(t, http.StatusOK, `{"result":"success","user":{"id":1}}`)
	a := mustNew(t, keyConfig(srv.URL))
	ctx := context.Background()
	_, err := a.Login(ctx)
	require.NoError(t, err)
	require.NoError(t, a.Logout(ctx))
	assert.Len(t, srv.got(), 1, "only the key check")
}
