package redisstore_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// The fleet's end-to-end tests: replicas of an application, each with a
// Redis client and a store of its own as separate processes would have,
// sharing one real redis-server and one fake vendor.

// fakeVendor is what the fleet's tests need of a vendor's fake server; both
// onsiptest and ipcortextest have it.
type fakeVendor interface {
	Logins() int
	Logouts() int
	ActiveSessions() int
	ForgetSessions()
	AnswerNext(n int, h http.Handler)
}

// account is one account at a fake vendor, and how to sign in to it.
type account struct {
	name    string
	vendor  fakeVendor
	cfg     auth.Config // Endpoint, Credentials, HTTPClient
	open    func(auth.Config) (auth.Authenticator, error)
	request func(ctx context.Context) (*http.Request, error) // an API call that needs a session
	secrets []auth.Secret                                    // the password or key, and the username
}

// newOnSIP starts a fake OnSIP API, closed when t ends.
func newOnSIP(t *testing.T) *onsiptest.Server {
	srv := onsiptest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// onsipAccount adds a user to srv and returns its account.
func onsipAccount(srv *onsiptest.Server, username, password string) account {
	srv.AddUser(onsiptest.User{Username: username, Password: password})
	return account{
		name:   "onsip",
		vendor: srv,
		cfg: auth.Config{Endpoint: srv.URL, HTTPClient: srv.Client(),
			Credentials: auth.Credentials{Username: username, Password: auth.Secret(password)}},
		open: func(cfg auth.Config) (auth.Authenticator, error) { return onsip.New(cfg) },
		request: func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("Action=UserRead"))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			return req, err
		},
		secrets: []auth.Secret{auth.Secret(password), auth.Secret(username)},
	}
}

// newIPCortex starts a fake IPCortex PBX, closed when t ends.
func newIPCortex(t *testing.T) *ipcortextest.Server {
	srv := ipcortextest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// ipcortexAccount adds a user to srv and returns its password account.
func ipcortexAccount(srv *ipcortextest.Server, login, password string) account {
	srv.AddUser(ipcortextest.User{Login: login, Password: password, Name: "Test User"})
	return account{
		name:   "ipcortex",
		vendor: srv,
		cfg: auth.Config{Endpoint: srv.URL, HTTPClient: srv.Client(),
			Credentials: auth.Credentials{Username: login, Password: auth.Secret(password)}},
		open:    func(cfg auth.Config) (auth.Authenticator, error) { return ipcortex.New(cfg) },
		request: ipcortexRequest(srv),
		secrets: []auth.Secret{auth.Secret(password), auth.Secret(login)},
	}
}

// ipcortexKeyAccount adds an API key for login to srv and returns its
// key account: stateless, with no session to share.
func ipcortexKeyAccount(srv *ipcortextest.Server, login, key string) account {
	srv.AddAPIKey(key, login)
	return account{
		name:   "ipcortex key",
		vendor: srv,
		cfg: auth.Config{Endpoint: srv.URL, HTTPClient: srv.Client(),
			Credentials: auth.Credentials{APIKey: auth.Secret(key)}},
		open:    func(cfg auth.Config) (auth.Authenticator, error) { return ipcortex.New(cfg) },
		request: ipcortexRequest(srv),
		secrets: []auth.Secret{auth.Secret(key), auth.Secret(login)},
	}
}

func ipcortexRequest(srv *ipcortextest.Server) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/rest/call/list",
			strings.NewReader(`{"filter":{"state":"ringing"}}`))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}
}

// bothVendors returns a fresh password account at each fake vendor.
func bothVendors(t *testing.T) []account {
	return []account{
		onsipAccount(newOnSIP(t), "alice@example.onsip.com", "onsip-pw-0123456789"),
		ipcortexAccount(newIPCortex(t), "alice", "ipcortex-pw-0123456789"),
	}
}

// fleetStore returns a store under prefix on a Redis client of its own,
// closed when t ends: what one replica process holds.
func fleetStore(t *testing.T, prefix string, lockTTL time.Duration) *redisstore.Store {
	return newStore(t, newClient(t), redisstore.Options{EncryptionKey: testKey, Prefix: prefix, LockTTL: lockTTL})
}

// replica opens an authenticator of a on store.
func (a account) replica(t *testing.T, store auth.SessionStore) auth.Authenticator {
	t.Helper()
	cfg := a.cfg
	cfg.Store = store
	au, err := a.open(cfg)
	require.NoError(t, err)
	return au
}

// replicas opens n replicas of a, each with a store of its own under
// prefix.
func (a account) replicas(t *testing.T, n int, prefix string) []auth.Authenticator {
	t.Helper()
	out := make([]auth.Authenticator, n)
	for i := range out {
		out[i] = a.replica(t, fleetStore(t, prefix, 0))
	}
	return out
}

// callAPI sends a's API request through c and returns an error unless the
// vendor accepted it.
func (a account) callAPI(ctx context.Context, au auth.Authenticator, c *http.Client) error {
	req, err := a.request(ctx)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return &callError{"the API call answered HTTP " + resp.Status}
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	if d, ok := au.(auth.RefusalDetector); ok && d.Refused(resp) {
		return &callError{"the vendor refused the session"}
	}
	return nil
}

// callError says why an API call failed, with nothing the vendor sent.
type callError struct{ why string }

func (e *callError) Error() string { return e.why }

// sameSessions reports whether every session has the ID of the first,
// without printing any: a failure message never shows a secret.
func sameSessions(ss []*auth.Session) bool {
	for _, s := range ss {
		if s == nil || s.ID != ss[0].ID {
			return false
		}
	}
	return true
}
