package ipcortex_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// sentinels are the errors exactly one of which every failure holds.
var sentinels = []error{auth.ErrInvalidCredentials, auth.ErrSessionExpired, auth.ErrUnavailable, auth.ErrProtocol,
	context.Canceled, context.DeadlineExceeded}

// FuzzDecodeResponse feeds the login answer's decoder any body and any
// Red60urne cookie, in password and key mode. It must never panic, and
// must give either a sound Session or an *auth.Error with exactly one
// sentinel and neither secret in its text.
func FuzzDecodeResponse(f *testing.F) {
	sample, err := os.ReadFile("testdata/sample-answer.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, body := range []string{
		string(sample),
		`{"result":"fail"}`,
		`{"result":"fail","message":"bad password ` + alicePassword + `"}`,
		`{"result":"fail","user":7,"message":{"text":"x"}}`,
		`{"result":"` + aliceKey + `"}`,
		`{"result":"success","user":{"id":"12","session":"s"}}`,
		`{"result":"success","user":{"id":1.5e3,"session":"s","perms":{}}}`,
		`{"result":"success","user":{"id":18446744073709551615,"session":"s"}}`,
		`{"result":"success","user":{"id":-9223372036854775808,"session":"s"}}`,
		`{"result":"success","user":{"id":1e300,"session":"s"}}`,
		`{"result":"success","user":{"id":1,"perms":{"` + alicePassword + `":1}}}`,
		`{"result":"success","user":{"id":1,"session":"a\"b"}}`,
		`{"result":"success","user":null}`,
		`{"result":null}`,
		`[]`, `null`, `"success"`, ``, `<html>`, `{"result":"success"`,
	} {
		f.Add([]byte(body), "", false)
		f.Add([]byte(body), "cookie-value", true)
	}
	f.Add(sample, "c00kie", false)
	f.Add(sample, "bad cookie;", false)

	f.Fuzz(func(t *testing.T, body []byte, cookie string, key bool) {
		creds, secret := auth.Credentials{Username: aliceLogin, Password: alicePassword}, alicePassword
		if key {
			creds, secret = auth.Credentials{APIKey: aliceKey}, aliceKey
		}
		header := http.Header{}
		if cookie != "" {
			header.Set("Set-Cookie", ipcortex.CookieName+"="+cookie)
		}
		s, err := ipcortex.DecodeResponse(&provider.Response{StatusCode: http.StatusOK, Header: header, Body: body}, creds)
		if (s == nil) == (err == nil) {
			t.Fatalf("got session %t and error %t: want exactly one", s != nil, err != nil)
		}
		if err != nil {
			checkError(t, err, secret)
			return
		}
		checkSession(t, s, key)
	})
}

// checkError fails t unless err is a login *auth.Error holding exactly one
// sentinel and not the secret the decoder was given.
func checkError(t *testing.T, err error, secret string) {
	var ae *auth.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error is a %T, not an *auth.Error", err)
	}
	held := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			held++
		}
	}
	if held != 1 {
		t.Fatalf("error holds %d sentinels, want 1", held)
	}
	if ae.Provider != ipcortex.Name || ae.Op != auth.OpLogin {
		t.Fatalf("error has Provider %q and Op %q", ae.Provider, ae.Op)
	}
	assertNoSecret(t, "the error", err.Error(), secret)
}

// checkSession fails t unless s is a sound IPCortex session.
func checkSession(t *testing.T, s *auth.Session, key bool) {
	if s.Provider != ipcortex.Name {
		t.Fatalf("Provider %q", s.Provider)
	}
	if _, err := strconv.ParseInt(s.UserID, 10, 64); err != nil {
		if _, err := strconv.ParseUint(s.UserID, 10, 64); err != nil {
			t.Fatalf("UserID %q is not decimal", s.UserID)
		}
	}
	if key != s.Stateless() {
		t.Fatalf("key mode %t, but stateless %t", key, s.Stateless())
	}
	if id := s.ID.Reveal(); strings.ContainsAny(id, " \t\r\n\";,\\") {
		t.Fatal("the session ID cannot be sent back as a cookie")
	}
	if s.Permissions == nil {
		t.Fatal("Permissions is nil")
	}
	if len(s.Roles) != len(s.Permissions) || !slices.IsSorted(s.Roles) {
		t.Fatalf("Roles %q do not match the %d permissions, sorted", s.Roles, len(s.Permissions))
	}
	for _, r := range s.Roles {
		if _, ok := s.Permissions[r]; !ok {
			t.Fatalf("role %q is no permission", r)
		}
	}
}
