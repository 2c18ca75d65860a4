// Package providers registers every built-in provider with auth, so that one
// blank import makes auth.Open know them all:
//
//	import _ "github.com/pbxauth/pbxauth/providers"
//
// To register only one, import its package instead (providers/onsip or
// providers/ipcortex).
package providers

import (
	_ "github.com/pbxauth/pbxauth/providers/ipcortex" // registers "ipcortex"
	_ "github.com/pbxauth/pbxauth/providers/onsip"    // registers "onsip"
)
