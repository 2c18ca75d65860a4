package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/store/redisstore/redistest"
)

// fleetSteps returns a JSON run's fleet steps of provider, by name.
func fleetSteps(rep jsonReport, provider string) map[string]step {
	steps := map[string]step{}
	for _, s := range rep.steps {
		if s.Section == "fleet" && s.Provider == provider {
			steps[s.Step] = s
		}
	}
	return steps
}

// assertOneLoginPerFleet checks the fleet section of a JSON run: for each
// session-based account, three replicas cost the vendor one login at the
// start and one more to recover, and every step says so.
func assertOneLoginPerFleet(t *testing.T, rep jsonReport, store string) {
	t.Helper()
	require.Len(t, rep.fleets, 2)
	for i, provider := range []string{"onsip", "ipcortex"} {
		f := rep.fleets[i]
		assert.Equal(t, fleetResult{Kind: "fleet", Provider: provider, Store: f.Store, Replicas: 3, StartLogins: 1, RecoveryLogins: 1}, f)
		assert.Contains(t, f.Store, store)
		steps := fleetSteps(rep, provider)
		require.Len(t, steps, 4, provider)
		start := steps["3 replicas start at once"]
		assert.Equal(t, int64(1), start.Requests, "%s: one login for three replicas", provider)
		assert.Contains(t, start.Detail, "vendor: 1 login, 1 live session")
		assert.Contains(t, start.Detail, "all hold the same session")
		recover := steps["3 replicas call the API at once"]
		assert.Equal(t, int64(3*2+1), recover.Requests, "%s: three refused calls, one login, three replays", provider)
		assert.Contains(t, recover.Detail, "HTTP 200 ×3; vendor: 1 more login (2 in all), 1 live session")
		assert.Contains(t, recover.Detail, "all hold one new session")
		assert.Contains(t, steps["logout (replica 1)"].Detail, "vendor: 0 live sessions; the store holds no session")
	}
}

func TestFleetSharesOneLogin(t *testing.T) {
	r := runDemo(t, []string{"-json"}, noEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	rep := decode(t, r.stdout)
	assertOneLoginPerFleet(t, rep, "auth.MemoryStore")

	r = runDemo(t, nil, noEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	for _, provider := range []string{"onsip", "ipcortex"} {
		assert.Contains(t, r.stdout, provider+": the vendor saw 1 login for 3 replicas, and 1 more login for all of them")
	}
}

func TestFleetOnRedis(t *testing.T) {
	srv, err := redistest.Start()
	require.NoError(t, err)
	t.Cleanup(srv.Stop)

	r := runDemo(t, []string{"-json", "-metrics", "-v", "-redis", redisUnix + srv.Socket}, noEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	rep := decode(t, r.stdout)
	assertOneLoginPerFleet(t, rep, "Redis at unix:"+srv.Socket)
	for _, row := range rep.hooks {
		for kind := range row.Store {
			assert.NotContains(t, kind, "fallback", "%s: the store never failed", row.Provider)
		}
	}
	require.Len(t, rep.notes, 2, "the heading and the cleanup")
	assert.Regexp(t, `^Redis: deleted the [1-9][0-9]* keys? this run left \(prefix pbxauth-demo-[a-z2-7]{10}\)\.$`, rep.notes[1])

	rdb := srv.Client()
	defer rdb.Close()
	n, err := rdb.DBSize(context.Background()).Result()
	require.NoError(t, err)
	assert.Zero(t, n, "the demo leaves no key behind")
}

func TestFleetRedisDown(t *testing.T) {
	socket := t.TempDir() + "/no-redis.sock"
	r := runDemo(t, []string{"-redis", redisUnix + socket}, noEnv)
	assert.Equal(t, exitFailed, r.code)
	assertReported(t, r.stderr, "-redis unix:"+socket+": no answer from Redis")
	assert.Contains(t, r.stderr, "Is redis-server running there?")
	assert.Empty(t, r.stdout, "nothing ran before the store answered")
	assert.False(t, strings.Contains(r.stderr, "pool.go"), "go-redis's own log lines stay out of stderr without -v")
}
