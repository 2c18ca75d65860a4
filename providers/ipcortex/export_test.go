package ipcortex

import (
	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// DecodeResponse lets the external tests reach the login answer's decoder:
// creds say the mode (an APIKey: a key check) and the secrets to redact.
func DecodeResponse(resp *provider.Response, creds auth.Credentials) (*auth.Session, error) {
	return decoder{creds}.decodeLogin(resp)
}
