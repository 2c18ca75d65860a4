package onsip

import (
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// DecodeLogin and DecodeLogout give the external tests the decoder without
// a server, for the golden, table and fuzz tests. The answer's status is
// 200, as OnSIP's always is.
func DecodeLogin(body []byte, username string, password auth.Secret) (*auth.Session, error) {
	return decodeLogin(&provider.Response{StatusCode: http.StatusOK, Body: body}, username, password)
}

func DecodeLogout(body []byte, id auth.Secret) error {
	return decodeLogout(&provider.Response{StatusCode: http.StatusOK, Body: body}, id)
}
