// Package ipcortex signs in to the REST API of an IPCortex PBX
// (Communication System), with a username and password or with an API key
// ("Auth Key" token).
//
// Import it, or github.com/pbxauth/pbxauth/providers, for its side effect
// of registering the provider as "ipcortex" with [auth.Open], or call [New]
// directly to pass an [Option]. Config.Endpoint is the PBX's base URL and is
// required: there is no vendor-wide host.
//
// With a password, Login posts {"auth":{"type":"auth","username":..,
// "password":..}} to /rest/auth/ and holds the session the PBX sets in the
// Red60urne cookie; Logout posts to /rest/auth/logout with that cookie. With
// Credentials.APIKey set, auth is stateless: Login checks the key once and
// returns the owner's facts with an empty Session.ID, Logout sends nothing,
// and [Authenticator.Authorize] puts the key on every request, in the JSON
// body's "auth" object or, with [KeyInHeader], in the header
// "Authorization: token auth=KEY" (firmware 6.3.10 and later).
//
// The package ipcortextest beside this one is a fake PBX for tests.
package ipcortex
