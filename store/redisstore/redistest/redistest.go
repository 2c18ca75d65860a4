// Package redistest runs a real redis-server for tests: a child process
// listening on a unix socket in a temporary directory, with no TCP port and
// no persistence, stopped when the tests are done. The redisstore tests, the
// fleet's end-to-end tests and the demo share it.
//
// It needs Debian's redis-server package (apt-get install -y redis-server).
// When the binary is missing, Start fails with an error that says so: tests
// that need Redis fail rather than skip.
//
// A test binary starts one server in TestMain and gives each test a key
// prefix of its own:
//
//	var srv *redistest.Server
//
//	func TestMain(m *testing.M) {
//		var err error
//		if srv, err = redistest.Start(); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//		code := m.Run()
//		srv.Stop()
//		os.Exit(code)
//	}
package redistest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Binary is the server program Start runs, looked up in PATH.
const Binary = "redis-server"

// InstallHint says how to get Binary where it is missing.
const InstallHint = "install Debian's package: apt-get install -y redis-server"

// The time limits of Start and Stop.
const (
	startTimeout = 10 * time.Second // until the server answers PING
	stopTimeout  = 5 * time.Second  // from SIGTERM until SIGKILL
	pollInterval = 10 * time.Millisecond
)

// maxLogBytes caps how much of the server's output a Server keeps for its
// error messages.
const maxLogBytes = 16 << 10

// Server is a running redis-server child process.
type Server struct {
	// Socket is the path of the server's unix socket. Pass it to a child
	// process, which connects with ClientOptions(Socket).
	Socket string

	dir    string
	cmd    *exec.Cmd
	log    *cappedBuffer
	exited chan struct{} // closed when the process has exited
	stop   sync.Once
}

// Start starts redis-server on a unix socket in a new temporary directory
// and returns once it answers PING. It fails, with the server's output,
// when the server does not come up within 10 s, and with [InstallHint] when
// the binary is not installed.
func Start() (*Server, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return nil, fmt.Errorf("redistest: %s not found in PATH; the tests need a real Redis: %s", Binary, InstallHint)
	}
	// A unix socket path is limited to about 100 bytes: prefer the system's
	// short /tmp to a long TMPDIR.
	dir, err := os.MkdirTemp(shortTempDir(), "redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s := &Server{
		Socket: filepath.Join(dir, "redis.sock"),
		dir:    dir,
		log:    &cappedBuffer{limit: maxLogBytes},
		exited: make(chan struct{}),
	}
	s.cmd = exec.Command(path,
		"--port", "0", // no TCP listener
		"--unixsocket", s.Socket,
		"--unixsocketperm", "700",
		"--save", "", // no snapshots
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--loglevel", "warning",
	)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = childProcAttr()
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("redistest: starting %s: %w", path, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls until the server answers PING, exits, or startTimeout
// passes.
func (s *Server) waitReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c := s.Client()
	defer c.Close()
	for {
		select {
		case <-s.exited:
			return fmt.Errorf("redistest: %s exited at start: %s", Binary, s.log.String())
		default:
		}
		if _, err := os.Stat(s.Socket); err == nil && c.Ping(ctx).Err() == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redistest: %s did not answer PING within %v: %s", Binary, startTimeout, s.log.String())
		case <-time.After(pollInterval):
		}
	}
}

// ClientOptions returns go-redis options for the server listening on
// socket, set as store/redisstore's documentation advises: calls end at
// their context's deadline (ContextTimeoutEnabled), and the client sends
// neither CLIENT SETINFO (DisableIdentity) nor CLIENT MAINT_NOTIFICATIONS
// (maintenance notifications disabled), which a plain Redis server does
// not know.
func ClientOptions(socket string) *redis.Options {
	return &redis.Options{
		Network:               "unix",
		Addr:                  socket,
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	}
}

// Options returns ClientOptions for this server.
func (s *Server) Options() *redis.Options { return ClientOptions(s.Socket) }

// Client returns a new client of this server; the caller closes it.
func (s *Server) Client() *redis.Client { return redis.NewClient(s.Options()) }

// Stop stops the server (SIGTERM, then SIGKILL after 5 s) and removes its
// directory. It may be called more than once.
func (s *Server) Stop() {
	s.stop.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.cmd.Process.Kill()
			<-s.exited
		}
		os.RemoveAll(s.dir)
	})
}

// Log returns the server's output so far (its last 16 KiB).
func (s *Server) Log() string { return s.log.String() }

// shortTempDir returns /tmp when it is usable, else the system's temporary
// directory.
func shortTempDir() string {
	const tmp = "/tmp"
	if fi, err := os.Stat(tmp); err == nil && fi.IsDir() {
		return tmp
	}
	return os.TempDir()
}

// cappedBuffer keeps the last limit bytes written to it; it is safe for
// concurrent use.
type cappedBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.limit; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() == 0 {
		return "(no output)"
	}
	return b.buf.String()
}
