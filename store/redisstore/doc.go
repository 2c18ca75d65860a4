// Package redisstore is an auth.SessionStore on Redis: the replicas of an
// application share one login, and one live session at the vendor, per
// account. Set a [Store] as auth.Config.Store on every replica.
//
//	rdb := redis.NewClient(&redis.Options{
//		Addr:                  "redis:6379",
//		ContextTimeoutEnabled: true, // required: calls end at their deadline
//		DisableIdentity:       true, // no CLIENT SETINFO
//		MaintNotificationsConfig: &maintnotifications.Config{
//			Mode: maintnotifications.ModeDisabled, // no CLIENT MAINT_NOTIFICATIONS
//		},
//	})
//	store, err := redisstore.New(rdb, redisstore.Options{EncryptionKey: key})
//	...
//	a, err := auth.Open("onsip", auth.Config{Credentials: creds, Store: store})
//
// # The client
//
// [New] takes any redis.UniversalClient (a single server, Sentinel or
// Cluster) and never talks to Redis itself, so a replica boots while Redis
// is down. Build the client with these go-redis v9 options:
//
//   - ContextTimeoutEnabled: true. pbxauth calls the store under a short
//     deadline of its own, so that a Redis that hangs (accepts connections
//     and never answers) costs about a second before the replica signs in by
//     itself. Without it go-redis waits for its ReadTimeout instead of the
//     deadline, and repeats the command; New refuses such a client.
//     go-redis sets a context's deadline on the socket but does not watch
//     for a cancel while it waits for an answer: on a Redis that hangs, a
//     call cancelled early still returns only at its deadline (at the
//     client's ReadTimeout when it has none). pbxauth gives every call a
//     deadline.
//   - DisableIdentity: true. Otherwise go-redis sends CLIENT SETINFO on
//     every new connection, which servers before Redis 7.2 (and some
//     proxies) answer with an error.
//   - MaintNotificationsConfig: &maintnotifications.Config{Mode:
//     maintnotifications.ModeDisabled}. Otherwise, in its default "auto"
//     mode, go-redis sends CLIENT MAINT_NOTIFICATIONS on every new RESP3
//     connection, which only servers with maintenance notifications (Redis
//     Cloud and Enterprise) know; leave it on against those.
//
// Redis 5.0 or later is needed (the scripts read the server's clock before
// writing); the tests run Redis 7.0.
//
// # Layout
//
// One account has three keys, all in the hash tag {account}, so each
// script's keys fall in one Redis Cluster slot. With the default prefix:
//
//	pbxauth:{<account>}:rec    hash: fp (fingerprint), data (the session), exp (Unix ms, 0 for none)
//	pbxauth:{<account>}:lease  hash: token, req (the id of the Lease call that took it)
//	pbxauth:{<account>}:fence  string: the last fencing token issued
//
// The account is the opaque hash pbxauth makes of the provider, endpoint
// and username or key (the store refuses a name holding '{' or '}'); the
// fingerprint is a hash of the session. Every step that must be atomic
// (take a lease, renew, release, publish under a fence, compare-and-delete,
// load and refresh) is one Lua script, sent by EVALSHA, and by EVAL after it
// when the server does not have the script yet. Load is one round trip.
//
// Every key expires, so a replica that dies leaves nothing behind: a lease
// after LockTTL unless renewed; a record at its session's ExpiresAt plus
// [ExpiryMargin], or, without an expiry, [Options].RecordTTL after it was
// last published or loaded; the fence counter [FenceTTL] after the
// account's last lease. Fencing tokens start from the Redis server's clock
// in milliseconds and grow by at least one per lease, so they keep growing
// even when a failover loses the counter.
//
// # Encryption
//
// Unless [Options].Plaintext is set, the data field is sealed with
// AES-256-GCM under a random 96-bit nonce: a format byte (1), the key's ID
// (the first 4 bytes of its SHA-256), then nonce, ciphertext and tag. The
// seal authenticates the account, the fingerprint and the expiry too: a
// record copied under another account, or given a later expiry in Redis,
// does not open. Nothing stored, key or value, holds a session ID, username
// or secret in clear. A record sealed with a key listed in
// [Options].PreviousKeys still opens, which lets keys rotate without a
// stampede of logins. A record that does not open is an error from Load
// ([ErrUnknownKey], [ErrCorruptRecord]), not an absent one: the
// authenticator logs it and signs in, and its Publish replaces the record.
//
// # Clocks
//
// A record's ExpiresAt is the publisher's; each replica compares it with
// its own clock and never serves the record after it. Redis keeps the
// record ExpiryMargin longer, by its clock. Leases are timed by Redis
// alone.
package redisstore
