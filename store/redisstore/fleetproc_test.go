package redisstore_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
	"github.com/pbxauth/pbxauth/store/redisstore"
	"github.com/pbxauth/pbxauth/store/redisstore/redistest"
)

// The multi-process test: replicas are separate OS processes, this test
// binary run again with replicaRoleEnv set (TestMain then runs the role
// instead of the tests). Each replica signs in to a fake OnSIP API in the
// test process through the test's redis-server.

// The environment of a replica process.
const (
	replicaRoleEnv     = "PBXAUTH_FLEET_ROLE" // the role: replicaRole
	replicaRedisEnv    = "PBXAUTH_FLEET_REDIS_SOCKET"
	replicaPrefixEnv   = "PBXAUTH_FLEET_PREFIX"
	replicaLockTTLEnv  = "PBXAUTH_FLEET_LOCK_TTL"
	replicaEndpointEnv = "PBXAUTH_FLEET_ENDPOINT"
	replicaUserEnv     = "PBXAUTH_FLEET_USERNAME"
	replicaPasswordEnv = "PBXAUTH_FLEET_PASSWORD"
)

// replicaRole is the one role: open the account, say "ready", get a
// session, say "session", exit.
const replicaRole = "replica"

// The lines a replica process writes on its standard output.
const (
	lineReady   = "ready"
	lineSession = "session"
	lineError   = "error"
)

// runReplica plays role in a replica process and returns its exit code.
func runReplica(role string) int {
	if role != replicaRole {
		fmt.Fprintf(os.Stderr, "unknown replica role %q\n", role)
		return 2
	}
	lockTTL, err := time.ParseDuration(os.Getenv(replicaLockTTLEnv))
	if err != nil {
		fmt.Println(lineError, "bad", replicaLockTTLEnv)
		return 2
	}
	client := redis.NewClient(redistest.ClientOptions(os.Getenv(replicaRedisEnv)))
	defer client.Close()
	store, err := redisstore.New(client, redisstore.Options{EncryptionKey: testKey, Prefix: os.Getenv(replicaPrefixEnv), LockTTL: lockTTL})
	if err != nil {
		fmt.Println(lineError, err)
		return 1
	}
	a, err := onsip.New(auth.Config{
		Endpoint: os.Getenv(replicaEndpointEnv),
		Credentials: auth.Credentials{
			Username: os.Getenv(replicaUserEnv),
			Password: auth.Secret(os.Getenv(replicaPasswordEnv)),
		},
		Store: store,
	})
	if err != nil {
		fmt.Println(lineError, err)
		return 1
	}
	fmt.Println(lineReady)
	if _, err := a.Session(context.Background()); err != nil {
		fmt.Println(lineError, err) // an *auth.Error: redacted
		return 1
	}
	fmt.Println(lineSession)
	return 0
}

// replicaProcess is a running replica process.
type replicaProcess struct {
	cmd   *exec.Cmd
	lines chan string   // its standard output, line by line; closed at its end
	done  chan struct{} // closed once it has exited and been reaped
	err   error         // Wait's, once done is closed
}

// startReplica starts a replica process with env on top of the test's own,
// and makes sure it is killed and reaped when t ends.
func startReplica(t *testing.T, env ...string) *replicaProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), replicaRoleEnv+"="+replicaRole), env...)
	cmd.SysProcAttr = replicaProcAttr()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &replicaProcess{cmd: cmd, lines: make(chan string, 16), done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.err = cmd.Wait() // after every read from the pipe, as Wait wants
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		<-p.done
	})
	return p
}

// kill sends SIGKILL, unless the process has exited already.
func (p *replicaProcess) kill() {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Kill() // fails only when it is gone already
	}
}

// expect waits for the next line of p's output, which must be want, and
// returns when it arrived. It fails t on any other line, on p's end and
// after within.
func (p *replicaProcess) expect(t *testing.T, want string, within time.Duration) time.Time {
	t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			<-p.done
			t.Fatalf("the replica process ended (%v) before saying %q", p.err, want)
		}
		if line != want {
			t.Fatalf("the replica process said %q, want %q", line, want)
		}
		return time.Now()
	case <-time.After(within):
		t.Fatalf("the replica process did not say %q within %v", want, within)
	}
	return time.Time{}
}

// killedLockTTL is the LockTTL of the multi-process test: short, so the
// test is quick, and long enough that a living replica process renews its
// lease in time on a loaded machine.
const killedLockTTL = time.Second

// A replica killed with SIGKILL in the middle of its login, holding the
// account's lease, is taken over: another replica process has a session
// within LockTTL + 1 s of the kill. Until the kill the victim, alive,
// renews its lease and is not taken over.
func TestFleetReplicaKilledMidLogin(t *testing.T) {
	const username, password = "victim@example.onsip.com", "victim-pw-0123456789"
	vendor := newOnSIP(t)
	vendor.AddUser(onsiptest.User{Username: username, Password: password})
	// The victim's login reaches the vendor and gets no answer: the vendor
	// holds it open until the victim's connection goes (or the test ends).
	loginArrived, testOver := make(chan struct{}), make(chan struct{})
	var arrived sync.Once
	vendor.AnswerNext(1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Do(func() { close(loginArrived) })
		select {
		case <-r.Context().Done():
		case <-testOver:
		}
	}))
	t.Cleanup(func() { close(testOver) }) // before the vendor's Close, which waits for handlers

	prefix := newPrefix()
	env := []string{
		replicaRedisEnv + "=" + srv.Socket,
		replicaPrefixEnv + "=" + prefix,
		replicaLockTTLEnv + "=" + killedLockTTL.String(),
		replicaEndpointEnv + "=" + vendor.URL,
		replicaUserEnv + "=" + username,
		replicaPasswordEnv + "=" + password,
	}
	const startWithin = 30 * time.Second // a -race binary's start on a loaded machine
	victim := startReplica(t, env...)
	victim.expect(t, lineReady, startWithin)
	select {
	case <-loginArrived: // the victim holds the lease: it leases before it logs in
	case <-time.After(startWithin):
		t.Fatal("the victim's login did not reach the vendor")
	}
	survivor := startReplica(t, env...)
	survivor.expect(t, lineReady, startWithin)

	// The victim, alive, renews its lease: watch the lease's TTL go up
	// three times (a whole LockTTL), with the survivor waiting.
	ctx := testContext(t)
	client := newClient(t)
	probe, err := onsip.New(auth.Config{Endpoint: vendor.URL, Credentials: auth.Credentials{Username: username, Password: password}})
	require.NoError(t, err)
	leaseKey := prefix + ":{" + probe.Account() + "}:lease"
	renewals, last := 0, time.Duration(0)
	deadline := time.Now().Add(10 * killedLockTTL)
	for renewals < 3 {
		ttl, err := client.PTTL(ctx, leaseKey).Result()
		require.NoError(t, err)
		require.Positive(t, ttl, "the living victim's lease lapsed")
		if ttl > last && last != 0 {
			renewals++
		}
		last = ttl
		require.True(t, time.Now().Before(deadline), "the victim renewed its lease %d times in %v", renewals, 10*killedLockTTL)
		time.Sleep(5 * time.Millisecond)
	}
	assert.Equal(t, 1, vendor.Logins(), "the survivor took over a living replica")
	select {
	case line := <-survivor.lines:
		t.Fatalf("the survivor did not wait for the living victim: it said %q", line)
	default:
	}

	killed := time.Now()
	require.NoError(t, victim.cmd.Process.Kill())
	<-victim.done
	assert.ErrorContains(t, victim.err, "killed", "the victim died of SIGKILL")
	took := survivor.expect(t, lineSession, killedLockTTL+5*time.Second).Sub(killed)
	t.Logf("a replica had a session %v after the lease holder was killed (LockTTL %v)", took.Round(time.Millisecond), killedLockTTL)
	assert.Less(t, took, killedLockTTL+time.Second, "taken over within LockTTL + 1 s")
	<-survivor.done
	assert.NoError(t, survivor.err)

	assert.Equal(t, 2, vendor.Logins(), "the victim's login and the survivor's")
	assert.Equal(t, 1, vendor.ActiveSessions(), "the victim's login opened no session")
	// The survivor published: a replica in this process takes its session.
	local, err := onsip.New(auth.Config{Endpoint: vendor.URL, Credentials: auth.Credentials{Username: username, Password: password},
		Store: newStore(t, client, redisstore.Options{EncryptionKey: testKey, Prefix: prefix})})
	require.NoError(t, err)
	_, err = local.Session(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, vendor.Logins(), "the survivor's session was published")
}
