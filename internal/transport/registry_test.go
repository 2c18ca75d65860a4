package transport

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRegistrySharesByKey(t *testing.T) {
	var r Registry[string, int]
	made := 0
	newInt := func(string) *int { made++; return new(int) }
	a := r.Get("a", newInt)
	assert.Same(t, a, r.Get("a", newInt), "one value per key while it is held")
	assert.NotSame(t, a, r.Get("b", newInt), "another key, another value")
	assert.Equal(t, 2, made)
	runtime.KeepAlive(a)
}

// A value nothing holds is collected and its key forgotten: a process
// that churns through keys does not keep them.
func TestRegistryForgetsCollectedValues(t *testing.T) {
	var r Registry[string, [64]byte]
	func() { _ = r.Get("gone", func(string) *[64]byte { return new([64]byte) }) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		runtime.Gosched()
		r.mu.Lock()
		n := len(r.m)
		r.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the key of a collected value is still held")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestComparable(t *testing.T) {
	assert.True(t, Comparable(nil))
	assert.True(t, Comparable(http.DefaultTransport))
	assert.False(t, Comparable(http.RoundTripper(roundTripper(nil))), "a func type cannot be a map key")
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
