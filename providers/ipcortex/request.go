package ipcortex

import (
	"encoding/json"

	"github.com/pbxauth/pbxauth/auth"
)

// authRequest is the body of a request to /rest/auth/, as the vendor's page
// shows it.
type authRequest struct {
	Auth authFields `json:"auth"`
}

// authFields is the "auth" object: a password login, a key check, or, with
// the key in the header, the type alone.
type authFields struct {
	Type     string `json:"type"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Key      string `json:"key,omitempty"`
}

// loginRequest returns the body of the login, or of the key check, for c.
func loginRequest(c auth.Credentials, o options) auth.Secret {
	f := authFields{Type: "auth"}
	switch {
	case c.APIKey == "":
		f.Username, f.Password = c.Username, c.Password.Reveal()
	case !o.keyInHeader:
		f.Key = c.APIKey.Reveal()
	}
	// With the key in the header, the body holds the type alone.
	b, _ := json.Marshal(authRequest{Auth: f}) // strings always encode
	return auth.Secret(b)
}
