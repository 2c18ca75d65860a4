package redisstore_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/pbxauth/pbxauth/auth"
	_ "github.com/pbxauth/pbxauth/providers"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// Every replica builds the same store: a client that honours deadlines and
// stays quiet against a plain Redis, and the fleet's encryption key. Here
// two replicas, sharing the tests' redis-server, sign in to a fake OnSIP
// API with one login.
func ExampleNew() {
	// The fleet's settings: in production, redis://redis:6379/0 and a key
	// from the secret manager.
	os.Setenv("REDIS_URL", "unix://"+srv.Socket)
	os.Setenv("PBXAUTH_STORE_KEY", base64.StdEncoding.EncodeToString(testKey))
	vendor := onsiptest.NewServer() // a fake of https://api.onsip.com/api
	defer vendor.Close()
	vendor.AddUser(onsiptest.User{Username: "fleet@example.onsip.com", Password: "s3cr3t"})
	endpoint := vendor.URL // "" in production: OnSIP's own
	creds := auth.Credentials{Username: "fleet@example.onsip.com", Password: "s3cr3t"}

	opts, err := redis.ParseURL(os.Getenv("REDIS_URL")) // redis://redis:6379/0
	if err != nil {
		log.Fatal(err)
	}
	opts.ContextTimeoutEnabled = true // required: store calls end at their deadline
	opts.DisableIdentity = true       // no CLIENT SETINFO (Redis before 7.2, proxies)
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	key, err := base64.StdEncoding.DecodeString(os.Getenv("PBXAUTH_STORE_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := redisstore.New(rdb, redisstore.Options{EncryptionKey: key}) // 32 bytes, the same on every replica
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	var replicas []auth.Authenticator
	for range 2 {
		a, err := auth.Open("onsip", auth.Config{Endpoint: endpoint, Credentials: creds, Store: store})
		if err != nil {
			log.Fatal(err)
		}
		if _, err := a.Session(ctx); err != nil {
			log.Fatal(err)
		}
		replicas = append(replicas, a)
	}
	fmt.Println("replicas signed in:", len(replicas), "logins at the vendor:", vendor.Logins())

	// A logout on any replica ends the session fleet-wide.
	if err := replicas[1].Logout(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sessions open at the vendor:", vendor.ActiveSessions())
	// Output:
	// replicas signed in: 2 logins at the vendor: 1
	// sessions open at the vendor: 0
}

// tenantConfig is what a service keeps for each tenant in its own
// database.
type tenantConfig struct {
	Provider string // the auth.Open name: "onsip" or "ipcortex"
	auth.Config
}

// A multi-tenant service on several replicas: one Pool per process, one
// store per fleet. This is the README's "Many tenants, many replicas".
func ExampleNew_pool() {
	vendor := onsiptest.NewServer() // a fake of https://api.onsip.com/api
	defer vendor.Close()
	vendor.AddUser(onsiptest.User{Username: "ops@acme.onsip.com", Password: "s3cr3t"})
	tenants := map[string]tenantConfig{
		"acme": {Provider: "onsip", Config: auth.Config{Endpoint: vendor.URL,
			Credentials: auth.Credentials{Username: "ops@acme.onsip.com", Password: "s3cr3t"}}},
	}
	loadTenantConfig := func(tenant string) tenantConfig { return tenants[tenant] }
	redisClient := srv.Client() // set as ExampleNew sets it
	defer redisClient.Close()
	key := testKey
	ctx, tenant := context.Background(), "acme"

	store, err := redisstore.New(redisClient, redisstore.Options{EncryptionKey: key}) // 32 bytes
	if err != nil {
		log.Fatal(err)
	}
	pool := auth.NewPool(func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		cfg := loadTenantConfig(tenant) // provider, endpoint, credentials, options
		cfg.Store = store               // one login per account across the fleet
		return auth.Open(cfg.Provider, cfg.Config)
	}, auth.PoolOptions{MaxTenants: 50_000, IdleTimeout: time.Hour})
	defer pool.Close(ctx)
	a, err := pool.Get(ctx, tenant)
	if err != nil {
		log.Fatal(err)
	}

	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Username, "logins at the vendor:", vendor.Logins())
	// The pool leaves a shared session to the fleet; a logout ends it.
	if err := a.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	// Output: ops@acme.onsip.com logins at the vendor: 1
}
