package auth_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

func openMemory(cfg auth.Config) (auth.Authenticator, error) {
	return newHeaderAuth(nil, "https://api.example.com", cfg, &memoryBackend{}), nil
}

// registerOnce registers the test's providers once per process, so the
// test can run again (go test -count=3): registering a name twice panics.
var registerOnce = sync.OnceFunc(func() {
	auth.Register("registry-test-b", openMemory)
	auth.Register("registry-test-a", openMemory)
})

func TestRegistry(t *testing.T) {
	registerOnce()
	names := auth.Providers()
	assert.IsNonDecreasing(t, names)
	assert.Contains(t, names, "registry-test-a")

	a, err := auth.Open("registry-test-a", auth.Config{})
	require.NoError(t, err)
	s, err := a.Session(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "memory", s.Provider)

	assert.PanicsWithValue(t, "auth: Register called twice for provider registry-test-a",
		func() { auth.Register("registry-test-a", openMemory) })
	assert.Panics(t, func() { auth.Register("", openMemory) })
	assert.Panics(t, func() { auth.Register("registry-test-nil", nil) })

	_, err = auth.Open("no-such-provider", auth.Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown provider "no-such-provider"`)
	assert.Contains(t, err.Error(), "forgotten import")
	assert.Contains(t, err.Error(), "registry-test-a, registry-test-b")
}
