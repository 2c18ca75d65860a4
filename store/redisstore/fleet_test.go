package redisstore_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/store/redisstore"
	"github.com/pbxauth/pbxauth/store/redisstore/redistest"
)

// The numbers of issue 11's "Done means".
const (
	fleetReplicas = 5
	fleetCallers  = 100
)

// coldStampede makes every replica's callers ask for a session at once,
// and returns every session they got.
func coldStampede(t *testing.T, replicas []auth.Authenticator, callers int) []*auth.Session {
	t.Helper()
	got := make([]*auth.Session, len(replicas)*callers)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			s, err := replicas[i%len(replicas)].Session(testContext(t))
			if assert.NoError(t, err) {
				got[i] = s
			}
		})
	}
	wg.Wait()
	return got
}

// 5 replicas × 100 concurrent Session calls, cold: exactly one login at the
// vendor. Restarted replicas (new authenticators, new clients, the same
// Redis) then log in zero times.
func TestFleetColdStampedeAndRestart(t *testing.T) {
	for _, a := range bothVendors(t) {
		t.Run(a.name, func(t *testing.T) {
			prefix := newPrefix()
			got := coldStampede(t, a.replicas(t, fleetReplicas, prefix), fleetCallers)
			assert.Equal(t, 1, a.vendor.Logins(), "logins for %d replicas × %d callers", fleetReplicas, fleetCallers)
			assert.Equal(t, 1, a.vendor.ActiveSessions())
			assert.True(t, sameSessions(got), "every caller holds the one session")

			restarted := coldStampede(t, a.replicas(t, fleetReplicas, prefix), fleetCallers)
			assert.Equal(t, 1, a.vendor.Logins(), "restarted replicas logged in")
			assert.True(t, sameSessions(append(restarted, got[0])), "restarted replicas hold the fleet's session")
			assert.Equal(t, 1, a.vendor.ActiveSessions())
			assert.Zero(t, a.vendor.Logouts())
		})
	}
}

// The vendor forgets the session and every replica makes one call through
// auth.NewClient at once: one more login, and every call succeeds.
func TestFleetVendorForgetsTheSession(t *testing.T) {
	for _, a := range bothVendors(t) {
		t.Run(a.name, func(t *testing.T) {
			replicas := a.replicas(t, fleetReplicas, newPrefix())
			coldStampede(t, replicas, 1)
			require.Equal(t, 1, a.vendor.Logins())

			a.vendor.ForgetSessions()
			errs := make([]error, len(replicas))
			var wg sync.WaitGroup
			for i, r := range replicas {
				c, err := auth.NewClient(r, nil)
				require.NoError(t, err)
				wg.Go(func() { errs[i] = a.callAPI(testContext(t), r, c) })
			}
			wg.Wait()
			for i, err := range errs {
				assert.NoError(t, err, "replica %d's call", i)
			}
			assert.Equal(t, 2, a.vendor.Logins(), "one login for the whole fleet after the vendor forgot the session")
			assert.Equal(t, 1, a.vendor.ActiveSessions())
			got := make([]*auth.Session, len(replicas))
			for i, r := range replicas {
				got[i], _ = r.Session(testContext(t))
			}
			assert.True(t, sameSessions(got), "every replica holds the new session")
		})
	}
}

// When the fleet's session reaches its expiry (Config.SessionTTL), every
// replica moves to one new login: IPCortex renews the session in place
// with its cookie; OnSIP opens another and the expired one is logged out.
func TestFleetSessionExpiry(t *testing.T) {
	const ttl = 800 * time.Millisecond
	for _, a := range bothVendors(t) {
		t.Run(a.name, func(t *testing.T) {
			a.cfg.SessionTTL = ttl
			replicas := a.replicas(t, fleetReplicas, newPrefix())
			first := coldStampede(t, replicas, 10)
			require.True(t, sameSessions(first))
			time.Sleep(time.Until(first[0].RefreshAt()))

			again := coldStampede(t, replicas, 10)
			require.True(t, sameSessions(again), "every replica holds the one new session")
			assert.True(t, again[0].IssuedAt.After(first[0].IssuedAt), "a new login")
			assert.Equal(t, 2, a.vendor.Logins(), "one login for the fleet at the expiry")
			assert.Equal(t, 1, a.vendor.ActiveSessions())
			if a.name == "ipcortex" {
				assert.True(t, again[0].ID == first[0].ID, "renewed in place with the cookie")
				assert.Zero(t, a.vendor.Logouts())
			} else {
				assert.False(t, again[0].ID == first[0].ID, "a new session")
				assert.Equal(t, 1, a.vendor.Logouts(), "the expired session was logged out, once")
			}
		})
	}
}

// storeCallTimeout is the deadline pbxauth gives each store call (see
// auth/provider's fleet.go): a Redis that is down costs a replica about
// that much.
const storeCallTimeout = time.Second

// fleetLoginDeadline is the login deadline of the replicas that meet a
// Redis that is down.
const fleetLoginDeadline = 5 * time.Second

// With Redis unreachable (refusing connections, or accepting them and
// never answering) every replica signs in by itself, once, within the
// login deadline, and no call fails.
func TestFleetRedisUnreachable(t *testing.T) {
	for _, redisCase := range []struct {
		name    string
		options func(t *testing.T) *redis.Options
	}{
		{"down", func(t *testing.T) *redis.Options {
			return redistest.ClientOptions(filepath.Join(t.TempDir(), "no-redis.sock"))
		}},
		{"hanging", func(t *testing.T) *redis.Options {
			opts := redistest.ClientOptions("")
			opts.Network, opts.Addr = "tcp", silentServer(t)
			return opts
		}},
	} {
		for _, a := range bothVendors(t) {
			t.Run(redisCase.name+"/"+a.name, func(t *testing.T) {
				var fallbacks sync.Map // replica -> the store call that failed first
				replicas := make([]auth.Authenticator, fleetReplicas)
				for i := range replicas {
					client := redis.NewClient(redisCase.options(t))
					t.Cleanup(func() { client.Close() })
					store, err := redisstore.New(client, redisstore.Options{EncryptionKey: testKey, Prefix: newPrefix()})
					require.NoError(t, err, "New while Redis is unreachable")
					cfg := a.cfg
					cfg.Store = store
					cfg.HTTPClient = &http.Client{Transport: a.cfg.HTTPClient.Transport, Timeout: fleetLoginDeadline}
					cfg.Hooks = &auth.Hooks{StoreFallback: func(_ context.Context, info auth.StoreFallbackInfo) {
						fallbacks.LoadOrStore(i, info.Op)
					}}
					replicas[i], err = a.open(cfg)
					require.NoError(t, err)
				}
				start := time.Now()
				got := coldStampede(t, replicas, 20)
				took := time.Since(start)
				t.Logf("%d replicas signed in without Redis in %v", fleetReplicas, took.Round(time.Millisecond))
				assert.Less(t, took, fleetLoginDeadline, "within the login deadline")
				assert.Less(t, took, storeCallTimeout+time.Second, "within about a second")
				assert.Equal(t, fleetReplicas, a.vendor.Logins(), "one login per replica")
				for i := range replicas {
					op, ok := fallbacks.Load(i)
					assert.True(t, ok, "replica %d reported no StoreFallback", i)
					assert.Equal(t, auth.StoreLoad, op)
				}
				for _, s := range got {
					assert.True(t, s != nil, "a Session call failed")
				}
			})
		}
	}
}

// Two accounts never share a session, whether they share a vendor, a
// username or a Redis.
func TestFleetAccountsNeverShare(t *testing.T) {
	onsipSrv, ipcSrv := newOnSIP(t), newIPCortex(t)
	accounts := []account{
		onsipAccount(onsipSrv, "alice@example.onsip.com", "alice-pw-0123456789"),
		onsipAccount(onsipSrv, "bob@example.onsip.com", "bob-pw-0123456789"),
		ipcortexAccount(ipcSrv, "alice@example.onsip.com", "alice-pbx-pw-0123456789"),
		ipcortexAccount(ipcSrv, "bob", "bob-pbx-pw-0123456789"),
	}
	prefix := newPrefix()
	all := make([][]auth.Authenticator, len(accounts))
	for i, a := range accounts {
		all[i] = a.replicas(t, fleetReplicas, prefix)
	}
	got := make([][]*auth.Session, len(accounts))
	var wg sync.WaitGroup
	for i := range accounts {
		wg.Go(func() { got[i] = coldStampede(t, all[i], 20) })
	}
	wg.Wait()
	assert.Equal(t, 2, onsipSrv.Logins(), "one login per OnSIP account")
	assert.Equal(t, 2, ipcSrv.Logins(), "one login per IPCortex account")
	for i := range accounts {
		require.True(t, sameSessions(got[i]), "account %d: one session", i)
		// Compared, not printed: the fleet tests treat usernames as secrets.
		assert.True(t, got[i][0].Username == accounts[i].cfg.Credentials.Username,
			"account %d holds another user's session", i)
		for j := range i {
			assert.False(t, got[i][0].ID == got[j][0].ID, "accounts %d and %d share a session", j, i)
		}
	}
	ctx := testContext(t)
	records := scanMatch(t, ctx, newClient(t), prefix+":*:rec")
	assert.Len(t, records, len(accounts), "one record per account")
}

// With an encryption key, nothing anyone can read in Redis holds a session
// ID, password, API key or username, in clear or in a common encoding,
// whatever the fleet did: logins, a re-login after a refusal, an explicit
// Login, a Logout, an API-key account.
func TestFleetStoresNoSecret(t *testing.T) {
	own, err := redistest.Start() // a server of its own: every key in it is the fleet's
	require.NoError(t, err)
	t.Cleanup(own.Stop)
	ctx := testContext(t)
	onsipSrv, ipcSrv := newOnSIP(t), newIPCortex(t)
	accounts := []account{
		onsipAccount(onsipSrv, "carol@example.onsip.com", "onsip-secret-pw-0123456789"),
		ipcortexAccount(ipcSrv, "carol", "ipcortex-secret-pw-0123456789"),
		ipcortexKeyAccount(ipcSrv, "carol", "ipcortex-secret-key-0123456789"),
		onsipAccount(onsipSrv, "dave@example.onsip.com", "onsip-other-pw-0123456789"),
	}
	secrets := []auth.Secret{auth.Secret(testKey)}
	for i, a := range accounts {
		var replicas []auth.Authenticator
		for range 3 {
			client := redis.NewClient(own.Options())
			t.Cleanup(func() { client.Close() })
			replicas = append(replicas, a.replica(t, newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: "app"})))
		}
		sessions := coldStampede(t, replicas, 5)
		a.vendor.ForgetSessions()
		c, err := auth.NewClient(replicas[1], nil)
		require.NoError(t, err)
		require.NoError(t, a.callAPI(ctx, replicas[1], c), "a call after the vendor forgot the session")
		s, err := replicas[2].Login(ctx)
		require.NoError(t, err)
		sessions = append(sessions, s)
		if i == len(accounts)-1 {
			require.NoError(t, replicas[2].Logout(ctx)) // leaves the fence behind
		}
		for _, s := range sessions {
			if s.ID != "" {
				secrets = append(secrets, s.ID)
			}
		}
		secrets = append(secrets, a.secrets...)
	}
	require.Greater(t, len(secrets), 2*len(accounts), "the fleet held sessions")

	rdb := own.Client()
	defer rdb.Close()
	keys := scanMatch(t, ctx, rdb, "*")
	require.NotEmpty(t, keys)
	kinds := map[string]int{}
	for n, k := range keys {
		kinds[k.name[strings.LastIndex(k.name, ":")+1:]]++
		for _, text := range append([]string{k.name}, k.values...) {
			for i, secret := range secrets {
				if provider.Contains(text, secret) || strings.Contains(strings.ToLower(text), hex.EncodeToString([]byte(secret.Reveal()))) {
					t.Errorf("key #%d (a %s) holds secret #%d", n, k.typ, i)
				}
			}
		}
	}
	assert.Equal(t, 2, kinds["rec"], "records: the OnSIP and IPCortex password accounts; none for the key, none after Logout")
	assert.GreaterOrEqual(t, kinds["fence"], 3)
}

// A fleet deployed with a new key, the old one not listed in PreviousKeys,
// cannot read the record the old fleet left: it logs in once, and its
// record, sealed with the new key, replaces the old one for every replica.
func TestFleetNewKeyReplacesTheUnreadableRecord(t *testing.T) {
	for _, a := range bothVendors(t) {
		t.Run(a.name, func(t *testing.T) {
			prefix := newPrefix()
			coldStampede(t, a.replicas(t, 2, prefix), 1) // the old fleet
			require.Equal(t, 1, a.vendor.Logins())

			newKey := make([]byte, redisstore.KeySize)
			newKey[0] = 0x42
			replicas := make([]auth.Authenticator, fleetReplicas)
			for i := range replicas {
				replicas[i] = a.replica(t, newStore(t, newClient(t), redisstore.Options{EncryptionKey: newKey, Prefix: prefix}))
			}
			got := coldStampede(t, replicas, 10)
			assert.Equal(t, 2, a.vendor.Logins(), "one login for the new fleet, not one per replica")
			assert.True(t, sameSessions(got), "the new fleet shares one session")
		})
	}
}
