package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pbxauth/pbxauth/auth/provider"
)

func TestSharedMap(t *testing.T) {
	a := provider.SharedMap(map[string]string{"calls": "company", "admin": "yes"})
	b := provider.SharedMap(map[string]string{"admin": "yes", "calls": "company"})
	assert.Equal(t, map[string]string{"calls": "company", "admin": "yes"}, a)
	a["probe"] = "x" // a test may look: the two are one map
	assert.Equal(t, "x", b["probe"], "equal maps are shared")
	delete(a, "probe")

	c := provider.SharedMap(map[string]string{"admin": "yes", "calls": "own"})
	assert.Equal(t, map[string]string{"calls": "own", "admin": "yes"}, c)
	c["probe"] = "x"
	assert.NotContains(t, a, "probe", "different maps are not shared")
	delete(c, "probe") // the table is the process's: leave it as found

	// Keys and values cannot be confused across the separator.
	d := provider.SharedMap(map[string]string{"a\x00b": "c"})
	e := provider.SharedMap(map[string]string{"a": "b\x00c"})
	assert.NotEqual(t, d, e)
	assert.Nil(t, provider.SharedMap(nil))
	assert.Empty(t, provider.SharedMap(map[string]string{}))
}

func TestSharedStrings(t *testing.T) {
	a := provider.SharedStrings([]string{"Account Admin"})
	b := provider.SharedStrings([]string{"Account Admin"})
	assert.Equal(t, []string{"Account Admin"}, a)
	assert.Same(t, &a[0], &b[0], "equal slices are shared")
	assert.Equal(t, []string{"a", "b"}, provider.SharedStrings([]string{"a", "b"}))
	assert.Equal(t, []string{"a\x00b"}, provider.SharedStrings([]string{"a\x00b"}))
	assert.Nil(t, provider.SharedStrings(nil))
}

// TestSharedStringsNeverTheArgument: the slice passed in may be a caller's local
// array, so what comes back is never it.
func TestSharedStringsNeverTheArgument(t *testing.T) {
	in := []string{"never-the-argument"}
	out := provider.SharedStrings(in)
	in[0] = "changed"
	assert.Equal(t, []string{"never-the-argument"}, out)
	assert.NotNil(t, provider.SharedStrings([]string{}), "empty stays empty, not nil")
}

// TestSharedHitsAllocateNothing: every login of every tenant looks its
// permissions up, so a value already shared must cost no allocation.
func TestSharedHitsAllocateNothing(t *testing.T) {
	perms := map[string]string{"calls": "company", "admin": "yes", "voicemail": "own"}
	roles := []string{"admin", "calls", "voicemail"}
	provider.SharedMap(perms)
	provider.SharedStrings(roles)
	assert.Zero(t, testing.AllocsPerRun(100, func() { provider.SharedMap(perms) }), "SharedMap")
	assert.Zero(t, testing.AllocsPerRun(100, func() { provider.SharedStrings(roles) }), "SharedStrings")
}
