// Package onsip signs in to the OnSIP web API (https://api.onsip.com/api),
// an XML API that answers HTTP 200 whether it accepts a request or refuses
// it, so every answer is judged by its body.
//
// Import it, or github.com/pbxauth/pbxauth/providers, for its side effect of
// registering the provider as "onsip" with auth.Open, or call [New]
// directly. Sign in with the full "user@domain" login name and the
// password of the OnSIP Admin Portal; OnSIP has no API keys.
//
// [Authenticator.Login] sends Action=SessionCreate and holds the SessionId
// it returns; [Authenticator.Logout] sends Action=SessionDestroy.
// [Authenticator.Authorize] puts the SessionId on a request to the same
// API, and [Authenticator.Refused] recognises OnSIP's refusal of a session,
// so auth.NewClient can log in again when a session dies.
//
// Package onsiptest is a fake OnSIP API for testing code that uses this
// package.
package onsip
