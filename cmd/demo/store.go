package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/store/redisstore"
)

// sessionStore is the fleet's store, named for the report.
type sessionStore struct {
	auth.SessionStore
	name string
	// close puts the store away and says what it cleaned up, if anything.
	close func(ctx context.Context) string
}

// openStore returns an auth.MemoryStore, or with redisAddr a Redis store
// whose client logs to logger.
func openStore(ctx context.Context, redisAddr string, logger *slog.Logger) (*sessionStore, error) {
	if redisAddr == "" {
		return &sessionStore{SessionStore: &auth.MemoryStore{}, name: "one auth.MemoryStore",
			close: func(context.Context) string { return "" }}, nil
	}
	redis.SetLogger(redisLog{logger})
	return openRedis(ctx, redisAddr)
}

// redisLog sends go-redis's own log lines (a failed dial, say) to the
// demo's logger at debug level, shown with -v, instead of to stderr
// unasked: the demo reports Redis's errors itself. go-redis has one
// logger per process; the demo has one Redis client.
type redisLog struct{ logger *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, args ...any) {
	l.logger.DebugContext(ctx, fmt.Sprintf(format, args...), "from", "go-redis")
}

const (
	// redisTimeout bounds the demo's own Redis calls: the first PING and
	// the cleanup.
	redisTimeout = 3 * time.Second
	// redisPrefix starts this run's key prefix; a random part follows, so
	// runs never share keys.
	redisPrefix = "pbxauth-demo-"
)

// redisOptions are go-redis options for addr (host:port or unix:/path),
// set as store/redisstore's documentation advises: calls end at their
// context's deadline, and the client sends neither CLIENT SETINFO nor
// CLIENT MAINT_NOTIFICATIONS, which plain Redis servers do not all know.
func redisOptions(addr string) *redis.Options {
	opts := &redis.Options{
		Network:                  "tcp",
		Addr:                     addr,
		ContextTimeoutEnabled:    true,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	}
	if path, ok := strings.CutPrefix(addr, redisUnix); ok {
		opts.Network, opts.Addr = "unix", path
	}
	return opts
}

// openRedis connects to the Redis at addr and returns a store on it whose
// records are sealed with a key made for this run, under a prefix of this
// run's own. Its close deletes every key the run wrote.
func openRedis(ctx context.Context, addr string) (*sessionStore, error) {
	client := redis.NewClient(redisOptions(addr))
	pctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		_ = client.Close()
		return nil, withHint(fmt.Errorf("-redis %s: no answer from Redis: %w", addr, err),
			"Is redis-server running there? -redis takes host:port or unix:/path.")
	}
	key := make([]byte, redisstore.KeySize)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	prefix := redisPrefix + strings.ToLower(rand.Text()[:10])
	store, err := redisstore.New(client, redisstore.Options{EncryptionKey: key, Prefix: prefix})
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	return &sessionStore{
		SessionStore: store,
		name:         fmt.Sprintf("Redis at %s (store/redisstore, records encrypted with a key made for this run)", addr),
		close: func(ctx context.Context) string {
			defer client.Close()
			n, err := deleteKeys(ctx, client, prefix)
			if err != nil {
				return fmt.Sprintf("Redis: could not delete this run's keys (prefix %s): %v", prefix, err)
			}
			return fmt.Sprintf("Redis: deleted the %s this run left (prefix %s).", plural(n, "key"), prefix)
		},
	}, nil
}

// deleteKeys deletes the keys under prefix, even after the run's deadline.
func deleteKeys(ctx context.Context, client *redis.Client, prefix string) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	var keys []string
	iter := client.Scan(ctx, 0, prefix+":*", 100).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := client.Del(ctx, keys...).Result()
	return int(n), err
}
