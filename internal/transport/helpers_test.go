package transport_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/internal/transport"
)

const ms = time.Millisecond

// fixedNow is the clock every test Transport reads; whole seconds, so an
// HTTP date (second precision) built from it is exact.
var fixedNow = time.Date(2025, time.March, 14, 15, 9, 26, 0, time.UTC)

// sleeps stands in for Transport.Sleep: it records each wait asked for and
// returns at once, with ctx.Err() as the contract says.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}

// randomMax makes the jitter pick the top of its range, so a wait equals its
// ceiling; randomZero picks the bottom.
func randomMax(n int64) int64 { return n - 1 }
func randomZero(int64) int64  { return 0 }

// server is a loopback httptest server that counts the requests it got and
// tells its handler the (1-based) number of each.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func newServer(t testing.TB, h func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(s.handler(h))
	t.Cleanup(s.Close)
	return s
}

func (s *server) handler(h func(w http.ResponseWriter, r *http.Request, n int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, int(s.hits.Add(1)))
	})
}

// statuses answers request i with codes[i-1] and the body "try i", and every
// request past the list with 200 "ok".
func statuses(codes ...int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, n int) {
		if n > len(codes) {
			_, _ = io.WriteString(w, "ok")
			return
		}
		w.WriteHeader(codes[n-1])
		_, _ = fmt.Fprintf(w, "try %d", n)
	}
}

// always answers every request with code and the body "try n".
func always(code int) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, n int) {
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, "try %d", n)
	}
}

// newBase returns a fresh http.Transport of its own (no proxy, no shared
// pool), closed when the test ends.
func newBase(t testing.TB) *http.Transport {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	return base
}

// newTransport returns a Transport over base with policy p and a full budget,
// whose waits are recorded instead of slept, whose jitter is randomMax and
// whose clock is fixedNow.
func newTransport(base http.RoundTripper, p transport.Policy) (*transport.Transport, *sleeps) {
	s := &sleeps{}
	tr := &transport.Transport{Base: base, Policy: p.WithDefaults(), Budget: transport.NewBudget()}
	tr.Sleep = s.Sleep
	tr.Random = randomMax
	tr.Now = func() time.Time { return fixedNow }
	return tr, s
}

// newRequest makes a request under the test's context.
func newRequest(t testing.TB, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	require.NoError(t, err)
	return req
}

// readBody reads all of resp's body and closes it.
func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// listen opens a loopback TCP listener, closed when the test ends.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}

// closedPort returns the address of a loopback port nothing listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// recorder is a RoundTripper between a Transport and its real base: it counts
// the tries and wraps each response body to see what became of it.
type recorder struct {
	base http.RoundTripper

	mu     sync.Mutex
	tries  int
	bodies []*trackedBody
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.tries++
	r.mu.Unlock()
	resp, err := r.base.RoundTrip(req)
	if resp != nil {
		tb := &trackedBody{rc: resp.Body}
		resp.Body = tb
		r.mu.Lock()
		r.bodies = append(r.bodies, tb)
		r.mu.Unlock()
	}
	return resp, err
}

func (r *recorder) Tries() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries
}

func (r *recorder) Bodies() []*trackedBody {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.bodies)
}

// trackedBody records how much of a body was read, whether it was read to its
// end and whether it was closed.
type trackedBody struct {
	rc io.ReadCloser

	mu     sync.Mutex
	read   int64
	eof    bool
	closed bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	b.read += int64(n)
	if err == io.EOF {
		b.eof = true
	}
	b.mu.Unlock()
	return n, err
}

func (b *trackedBody) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return b.rc.Close()
}

func (b *trackedBody) state() (read int64, eof, closed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.read, b.eof, b.closed
}

// hangFirst returns a server whose first answer never comes and whose later
// ones are "ok", and a base transport that times out waiting for it.
func hangFirst(t *testing.T) (*server, *http.Transport) {
	srv := newServer(t, nil)
	hung := hang(t, nil)
	srv.Config.Handler = srv.handler(func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			hung(w, r, n)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	base := newBase(t)
	base.ResponseHeaderTimeout = 20 * ms
	return srv, base
}

// collect runs a collection and lets cleanups run.
func collect() {
	runtime.GC()
	runtime.Gosched()
}
