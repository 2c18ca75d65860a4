package redisstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/pbxauth/pbxauth/store/redisstore"
	"github.com/pbxauth/pbxauth/store/redisstore/redistest"
)

// srv is the redis-server every test of this binary shares; each test
// works under a key prefix of its own.
var srv *redistest.Server

func TestMain(m *testing.M) {
	if role := os.Getenv(replicaRoleEnv); role != "" {
		// A replica process the fleet's multi-process test started: it
		// plays its role against that test's Redis and fake vendor, and
		// runs no test.
		os.Exit(runReplica(role))
	}
	var err error
	if srv, err = redistest.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: the redisstore tests need a real redis-server:", err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

// testKey and otherKey are encryption keys for tests. They are printable on
// purpose, so that a test can look for them in text.
var (
	testKey  = []byte("test-key-0123456789abcdefghijklm")
	otherKey = []byte("other-key-0123456789abcdefghijkl")
)

// prefixes numbers the tests' key prefixes.
var prefixes atomic.Int64

// newPrefix returns a key prefix no other test uses.
func newPrefix() string {
	return "redisstoretest" + strconv.FormatInt(prefixes.Add(1), 10)
}

// newClient returns a client of srv, closed when t ends.
func newClient(t testing.TB) *redis.Client {
	c := srv.Client()
	t.Cleanup(func() { c.Close() })
	return c
}

// newStore returns a store on client with opts, under a fresh prefix when
// opts has none.
func newStore(t testing.TB, client redis.UniversalClient, opts redisstore.Options) *redisstore.Store {
	t.Helper()
	if opts.Prefix == "" {
		opts.Prefix = newPrefix()
	}
	s, err := redisstore.New(client, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// testContext returns a context that ends with t, or after 30 s.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
