package provider_test

import (
	"context"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
)

// BenchmarkHeldSession compares the held-session path with a store and
// without one, in the same run: the store is never touched there, so the
// two must cost the same and allocate nothing.
func BenchmarkHeldSession(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  auth.Config
	}{
		{"no store", auth.Config{}},
		{"store", auth.Config{Store: &auth.MemoryStore{}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newCache(bc.cfg, &memoryBackend{})
			ctx := context.Background()
			if _, err := c.Session(ctx); err != nil {
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
