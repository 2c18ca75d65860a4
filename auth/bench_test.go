package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// sinkTime keeps the compiler from dropping the clock read it is compared
// with.
var sinkTime time.Time

// BenchmarkSession measures the hot path, a held session, against a bare
// clock read in the same run: with no expiry Session reads no clock, with
// one it reads it once and should cost about as much as time.Now.
func BenchmarkSession(b *testing.B) {
	ctx := context.Background()
	held := func(b *testing.B, ttl time.Duration) *auth.SessionCache {
		c := auth.NewSessionCache("memory", auth.Config{SessionTTL: ttl}, &memoryBackend{})
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
	b.Run("held/no-expiry", func(b *testing.B) {
		c := held(b, 0)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Session(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("held/expiry", func(b *testing.B) {
		c := held(b, time.Hour)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Session(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("held/no-expiry/parallel", func(b *testing.B) {
		c := held(b, 0)
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
	b.Run("held/expiry/parallel", func(b *testing.B) {
		c := held(b, time.Hour)
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
		c := auth.NewSessionCache("memory", auth.Config{}, backend)
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
