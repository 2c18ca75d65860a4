package redisstore_test

import (
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// contractLockTTL is the lease TTL the contract runs with (see
// authtest.RunStore).
const contractLockTTL = 300 * time.Millisecond

func TestContract(t *testing.T) {
	client := newClient(t)
	for _, tc := range []struct {
		name string
		opts redisstore.Options
	}{
		{"Plaintext", redisstore.Options{Plaintext: true}},
		{"Encrypted", redisstore.Options{EncryptionKey: testKey}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			authtest.RunStore(t, func(t *testing.T) auth.SessionStore {
				opts := tc.opts
				opts.LockTTL = contractLockTTL
				return newStore(t, client, opts)
			})
		})
	}
}
