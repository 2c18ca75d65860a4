package otelauth

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheKeepsTheFirstValue(t *testing.T) {
	var c cache[string, *int]
	_, ok := c.load("a")
	require.False(t, ok, "an empty cache holds nothing")
	first, second := new(int), new(int)
	require.Same(t, first, c.store("a", first))
	require.Same(t, first, c.store("a", second), "a racing store gets the kept value")
	got, ok := c.load("a")
	require.True(t, ok)
	require.Same(t, first, got)
}

func TestCacheGetBuildsOnlyOnAMiss(t *testing.T) {
	var c cache[string, int]
	builds := 0
	build := func() int { builds++; return builds }
	require.Equal(t, 1, c.get("a", build))
	require.Equal(t, 1, c.get("a", build), "a hit returns the kept value")
	require.Equal(t, 1, builds, "a hit builds nothing")
	require.Equal(t, 2, c.get("b", build))
}

func TestCacheIsBounded(t *testing.T) {
	var c cache[int, int]
	for i := range maxCached + 10 {
		require.Equal(t, i, c.store(i, i), "a store returns a usable value, kept or not")
	}
	assert.Len(t, *c.m.Load(), maxCached)
	_, ok := c.load(maxCached + 5)
	assert.False(t, ok, "past the bound nothing more is kept")
	_, ok = c.load(maxCached - 1)
	assert.True(t, ok)
}

func TestCacheConcurrentUse(t *testing.T) {
	var c cache[string, string]
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := fmt.Sprint(i % 50)
				if v, ok := c.load(k); ok {
					assert.Equal(t, k, v)
					continue
				}
				assert.Equal(t, k, c.store(k, k), "goroutine %d", g)
			}
		})
	}
	wg.Wait()
	assert.Len(t, *c.m.Load(), 50)
}

func TestToken(t *testing.T) {
	for in, want := range map[string]string{
		"store error":        "store_error",
		"connection refused": "connection_refused",
		"Timeout":            "timeout",
		"tls-handshake":      "tls_handshake",
		"already_token.ok":   "already_token.ok",
		"":                   "",
		"héllo wörld":        "h_llo_w_rld",
	} {
		assert.Equal(t, want, token(in), in)
	}
}

func TestMethod(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"} {
		assert.Equal(t, m, method(m))
	}
	for _, m := range []string{"", "get", "BREW", "PROPFIND"} {
		assert.Equal(t, methodOther, method(m), m)
	}
}

func TestReleaseVersion(t *testing.T) {
	assert.Equal(t, "v2.1.0", releaseVersion("v2.1.0"))
	assert.Equal(t, "", releaseVersion(develVersion), "a work-tree build has no version to report")
	assert.NotEqual(t, develVersion, Version(), "the placeholder is never reported")
}
