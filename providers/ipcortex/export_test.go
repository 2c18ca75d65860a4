package ipcortex

import "github.com/pbxauth/pbxauth/auth"

// DecodeResponse lets the external tests reach the login answer's decoder:
// creds say the mode (an APIKey: a key check) and the secrets to redact.
func DecodeResponse(resp *auth.Response, creds auth.Credentials) (*auth.Session, error) {
	return (&backend{creds: creds}).decodeLogin(resp)
}
