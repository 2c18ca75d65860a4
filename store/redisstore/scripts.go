package redisstore

import "github.com/redis/go-redis/v9"

// Every atomic step is one Lua script. Each names all its keys in KEYS, and
// all of one account's keys share the account's hash tag, so every script
// runs on one Redis Cluster slot. Tokens travel as decimal strings; the
// scripts compare them as Lua numbers, exact below 2^53 (tokens start near
// the clock in milliseconds, about 2^41).

// loadScript returns the record's fields fp, data and exp, or nil when there
// is none. A record without expiry (exp "0") gets its TTL renewed, so a
// record in use does not vanish.
//
// KEYS[1] record; ARGV[1] record TTL in ms.
var loadScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'fp', 'data', 'exp')
if not r[1] then
	return false
end
if r[3] == '0' then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return r
`)

// leaseScript takes the lease if it is free and returns {1, token}; when it
// is held it returns {0, remaining ms}. The new token is above the last one
// issued and at least the server's clock in ms, so tokens keep growing even
// if the fence counter was lost. The request ID makes a call that go-redis
// repeats (the answer was lost on the way) get its own lease back instead
// of finding it held.
//
// KEYS[1] lease, KEYS[2] fence; ARGV[1] lease TTL in ms, ARGV[2] fence TTL
// in ms, ARGV[3] request ID.
var leaseScript = redis.NewScript(`
local held = redis.call('HMGET', KEYS[1], 'token', 'req')
if held[1] then
	if held[2] == ARGV[3] then
		return {1, held[1]}
	end
	return {0, redis.call('PTTL', KEYS[1])}
end
local now = redis.call('TIME')
local token = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[2]))
if last and last >= token then
	token = last + 1
end
token = string.format('%d', token)
redis.call('SET', KEYS[2], token, 'PX', ARGV[2])
redis.call('HSET', KEYS[1], 'token', token, 'req', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {1, token}
`)

// renewScript extends the lease if it is held under the token and returns
// {1}; else {0, the holder's token or false}.
//
// KEYS[1] lease; ARGV[1] token, ARGV[2] lease TTL in ms.
var renewScript = redis.NewScript(`
local held = redis.call('HGET', KEYS[1], 'token')
if held == ARGV[1] then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
	return {1}
end
return {0, held}
`)

// releaseScript deletes the lease if it is held under the token.
//
// KEYS[1] lease; ARGV[1] token.
var releaseScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// publishScript stores the record unless a newer token was issued, and
// returns {1}; else {0, the newest token}. A record with an expiry expires
// at an absolute time, one without after the record TTL.
//
// KEYS[1] record, KEYS[2] fence; ARGV[1] token, ARGV[2] fingerprint,
// ARGV[3] data, ARGV[4] exp in Unix ms ("0": none), ARGV[5] "at" or "in",
// ARGV[6] the key's expiry: Unix ms for "at", a TTL in ms for "in".
var publishScript = redis.NewScript(`
local last = redis.call('GET', KEYS[2])
if last and tonumber(last) > tonumber(ARGV[1]) then
	return {0, last}
end
redis.call('HSET', KEYS[1], 'fp', ARGV[2], 'data', ARGV[3], 'exp', ARGV[4])
if ARGV[5] == 'at' then
	redis.call('PEXPIREAT', KEYS[1], ARGV[6])
else
	redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return {1}
`)

// invalidateScript deletes the record if it holds the fingerprint.
//
// KEYS[1] record; ARGV[1] fingerprint.
var invalidateScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'fp') == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)
