package onsip

import (
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
)

// DecodeLogin and DecodeLogout give the external tests the decoder without
// a server, for the golden, table and fuzz tests. The answer's status is
// 200, as OnSIP's always is.
func DecodeLogin(body []byte, username string, password auth.Secret) (*auth.Session, error) {
	return decodeLogin(&auth.Response{StatusCode: http.StatusOK, Body: body}, username, password)
}

func DecodeLogout(body []byte, id auth.Secret) error {
	return decodeLogout(&auth.Response{StatusCode: http.StatusOK, Body: body}, id)
}
