package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth/provider"
)

func TestCheckOptions(t *testing.T) {
	assert.NoError(t, provider.CheckOptions(nil))
	assert.NoError(t, provider.CheckOptions(map[string]string{"key_in_header": "true"}, "key_in_header"))

	err := provider.CheckOptions(map[string]string{"bogus": "1", "also": "2"}, "key_in_header")
	require.Error(t, err)
	assert.Equal(t, `unknown option "also", "bogus" in Config.Options; known: "key_in_header"`, err.Error())

	err = provider.CheckOptions(map[string]string{"bogus": "1"})
	require.Error(t, err)
	assert.Equal(t, `unknown option "bogus" in Config.Options: this provider takes no options`, err.Error())
}

func TestBoolOption(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "TRUE": true, " 1 ": true, "false": false, "0": false} {
		got, err := provider.BoolOption(map[string]string{"x": v}, "x")
		require.NoError(t, err, v)
		assert.Equal(t, want, got, v)
	}
	got, err := provider.BoolOption(nil, "x")
	assert.NoError(t, err)
	assert.False(t, got)
	_, err = provider.BoolOption(map[string]string{"x": "yes please"}, "x")
	assert.EqualError(t, err, `option "x" in Config.Options is "yes please": want true or false`)
}
