package redisstore_test

import (
	"encoding/base64"
	"log"
	"os"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// Every replica builds the same store: a client that honours deadlines and
// stays quiet against a plain Redis, and the fleet's encryption key.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "redis:6379",
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	})
	defer rdb.Close()
	key, err := base64.StdEncoding.DecodeString(os.Getenv("PBXAUTH_STORE_KEY")) // 32 bytes
	if err != nil {
		log.Fatal(err)
	}
	store, err := redisstore.New(rdb, redisstore.Options{EncryptionKey: key})
	if err != nil {
		log.Fatal(err)
	}
	cfg := auth.Config{Store: store /* , Credentials: ... */}
	_ = cfg // auth.Open("onsip", cfg)
}
