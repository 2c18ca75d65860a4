package authtest_test

import (
	"os"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/authtest"
)

// suiteLockTTL is the lease TTL the contract runs with: long enough for
// renewals to win against a loaded scheduler, short enough to wait for.
const suiteLockTTL = 300 * time.Millisecond

// TestMemoryStore runs the store contract on auth.MemoryStore. In the child
// processes of TestStoreSuiteCatchesBrokenStores it runs it on a broken
// MemoryStore instead.
func TestMemoryStore(t *testing.T) {
	authtest.RunStore(t, func(t *testing.T) auth.SessionStore {
		s := &auth.MemoryStore{LockTTL: suiteLockTTL}
		if b := os.Getenv(storeBreakEnv); b != "" {
			return newBrokenStore(s, b)
		}
		return s
	})
}
