package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// sinkTime keeps the compiler from dropping the clock read it is compared
// with.
var sinkTime time.Time

// heldTTL is the Config.SessionTTL of the held-session cases with an
// expiry: long enough never to pass during a run.
const heldTTL = time.Hour

// helds are the held-session cases: without an expiry (the vendors'
// default) and with one (Config.SessionTTL).
var helds = []struct {
	name string
	ttl  time.Duration
}{{"no-expiry", 0}, {"expiry", heldTTL}}

// setups are the configurations the hot path must not notice: none, hooks
// set, a store set, both.
var setups = []struct {
	name string
	cfg  func() auth.Config
}{
	{"plain", func() auth.Config { return auth.Config{} }},
	{"hooks", func() auth.Config { return auth.Config{Hooks: everyHook()} }},
	{"store", func() auth.Config { return auth.Config{Store: new(auth.MemoryStore)} }},
	{"hooks+store", func() auth.Config { return auth.Config{Hooks: everyHook(), Store: new(auth.MemoryStore)} }},
}

// everyHook sets every hook, each doing a little work.
func everyHook() *auth.Hooks {
	var n atomic.Int64
	return &auth.Hooks{
		LoginStart:     func(ctx context.Context, _ auth.LoginStartInfo) context.Context { n.Add(1); return ctx },
		LoginDone:      func(context.Context, auth.LoginDoneInfo) { n.Add(1) },
		LogoutDone:     func(context.Context, auth.LogoutDoneInfo) { n.Add(1) },
		SessionRefused: func(context.Context, auth.SessionRefusedInfo) { n.Add(1) },
		Retry:          func(context.Context, auth.RetryInfo) { n.Add(1) },
		BudgetSpent:    func(context.Context, auth.BudgetSpentInfo) { n.Add(1) },
		SessionShared:  func(context.Context, auth.SessionSharedInfo) { n.Add(1) },
		LeaseWait:      func(context.Context, auth.LeaseWaitInfo) { n.Add(1) },
		LeaseTakeover:  func(context.Context, auth.LeaseTakeoverInfo) { n.Add(1) },
		StoreFallback:  func(context.Context, auth.StoreFallbackInfo) { n.Add(1) },
	}
}

// BenchmarkHeldSession measures the hot path with hooks and a store set or
// not, in one run: all four must cost the same, 0 allocations. Its plain
// case is also BenchmarkSession's held session with no expiry.
func BenchmarkHeldSession(b *testing.B) {
	ctx := context.Background()
	for _, setup := range setups {
		b.Run(setup.name, func(b *testing.B) {
			c := newHeaderAuth(b, "https://api.example.com", setup.cfg(), &memoryBackend{})
			if _, err := c.Login(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Session(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSession measures the hot path, a held session, against a bare
// clock read in the same run: with no expiry (BenchmarkHeldSession/plain,
// not measured twice) Session reads no clock, with one it reads it once
// and should cost about as much as time.Now. From many goroutines it
// measures both.
func BenchmarkSession(b *testing.B) {
	ctx := context.Background()
	hold := func(b *testing.B, ttl time.Duration) auth.Authenticator {
		c := newHeaderAuth(b, "https://api.example.com", auth.Config{SessionTTL: ttl}, &memoryBackend{})
		if _, err := c.Login(ctx); err != nil {
			b.Fatal(err)
		}
		return c
	}
	b.Run("time.Now", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkTime = time.Now()
		}
	})
	b.Run("held/expiry", func(b *testing.B) {
		c := hold(b, heldTTL)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Session(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, held := range helds {
		name, ttl := held.name, held.ttl
		b.Run("held/"+name+"/parallel", func(b *testing.B) {
			c := hold(b, ttl)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.Session(ctx); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// stampedeSize is how many goroutines find the cache cold at once.
const stampedeSize = 10000

// BenchmarkStampede measures a cold cache met by stampedeSize goroutines at
// once and reports the logins each stampede caused (want 1).
func BenchmarkStampede(b *testing.B) {
	ctx := context.Background()
	var logins int64
	b.ReportAllocs()
	for b.Loop() {
		backend := &memoryBackend{block: make(chan struct{})}
		c := newHeaderAuth(b, "https://api.example.com", auth.Config{}, backend)
		var wg, arrived sync.WaitGroup
		arrived.Add(stampedeSize)
		for range stampedeSize {
			wg.Go(func() {
				arrived.Done()
				if _, err := c.Session(ctx); err != nil {
					b.Error(err)
				}
			})
		}
		arrived.Wait()
		close(backend.block)
		wg.Wait()
		logins += backend.logins.Load()
	}
	b.ReportMetric(float64(logins)/float64(b.N), "logins/op")
}

// BenchmarkClient compares a request through NewClient (session from the
// cache, clone, Authorize, retrying transport) with the same request
// authorized by hand on a bare http.Transport, in one run.
func BenchmarkClient(b *testing.B) {
	g := &gate{}
	g.accept("session-1")
	srv := httptest.NewServer(g)
	defer srv.Close()
	get := func(b *testing.B, c *http.Client, byHand bool) {
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if byHand {
				req.Header.Set("X-Session", "session-1")
			}
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("HTTP %d", resp.StatusCode)
			}
		}
		g.mu.Lock()
		g.bodies = g.bodies[:0]
		g.mu.Unlock()
	}
	b.Run("by-hand", func(b *testing.B) {
		get(b, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}, true)
	})
	b.Run("NewClient", func(b *testing.B) {
		a := newHeaderAuth(b, srv.URL, auth.Config{}, &memoryBackend{})
		c, err := auth.NewClient(a, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
		if err != nil {
			b.Fatal(err)
		}
		get(b, c, false)
	})
}
