package redistest_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/store/redisstore/redistest"
)

func TestStartAndStop(t *testing.T) {
	srv, err := redistest.Start()
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	c := srv.Client()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Ping(ctx).Err())

	// No persistence, no TCP port.
	cfg, err := c.ConfigGet(ctx, "*").Result()
	require.NoError(t, err)
	assert.Equal(t, "0", cfg["port"])
	assert.Equal(t, "", cfg["save"])
	assert.Equal(t, "no", cfg["appendonly"])
	assert.Equal(t, srv.Socket, cfg["unixsocket"])

	srv.Stop()
	_, err = os.Stat(srv.Socket)
	assert.True(t, os.IsNotExist(err), "the socket's directory is removed")
	assert.Error(t, c.Ping(ctx).Err(), "the server is gone")
	srv.Stop() // a second Stop does nothing
}

// TestClientOptionsAreQuiet checks that a client made with ClientOptions
// sends nothing a plain server refuses, where go-redis's defaults do (the
// server here predates CLIENT SETINFO, or has no maintenance
// notifications).
func TestClientOptionsAreQuiet(t *testing.T) {
	srv, err := redistest.Start()
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	admin := srv.Client()
	defer admin.Close()
	errorReplies := func() string {
		info, err := admin.Info(ctx, "stats").Result()
		require.NoError(t, err)
		for line := range strings.SplitSeq(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "total_error_replies:"); ok {
				return v
			}
		}
		t.Fatal("INFO stats has no total_error_replies")
		return ""
	}
	require.NoError(t, admin.ConfigResetStat(ctx).Err())
	before := errorReplies()

	quiet := srv.Client()
	require.NoError(t, quiet.Ping(ctx).Err())
	quiet.Close()
	assert.Equal(t, before, errorReplies(), "a client with ClientOptions made the server answer errors")

	// go-redis's defaults, against the same server, are not quiet: the
	// check above can fail.
	opts := srv.Options()
	opts.DisableIdentity, opts.MaintNotificationsConfig = false, nil
	noisy := redis.NewClient(opts)
	require.NoError(t, noisy.Ping(ctx).Err())
	noisy.Close()
	assert.NotEqual(t, before, errorReplies(), "go-redis's defaults made no error reply: is this server newer than 7.2 with maintenance notifications?")
}

func TestStartWithoutRedisSaysHowToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := redistest.Start()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "apt-get install -y redis-server")
}
