package ipcortex

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/pbxauth/pbxauth/auth"
)

// refusal is the error of a "fail" answer to a login.
func (b *backend) refusal(resp *auth.Response, message text) *auth.Error {
	return &auth.Error{Provider: Name, Op: auth.OpLogin, StatusCode: resp.StatusCode,
		Err: auth.ErrInvalidCredentials, Message: b.clean(string(message))}
}

// protocolError is the error of an answer that cannot be understood.
func (b *backend) protocolError(op string, resp *auth.Response, message string) *auth.Error {
	return &auth.Error{Provider: Name, Op: op, StatusCode: resp.StatusCode, Err: auth.ErrProtocol, Message: message}
}

// unexpected describes a result that is neither "success" nor "fail".
func (b *backend) unexpected(result string, secrets ...auth.Secret) string {
	if result == "" {
		return `answer has no "result"`
	}
	return fmt.Sprintf("unexpected result %q", b.clean(result, secrets...))
}

// maxMessage bounds the vendor's text kept in an error.
const maxMessage = 200

// clean makes the vendor's text fit for an error: the password, the key and
// the other secrets removed (vendors echo what they were sent), then cut to
// maxMessage bytes. Redacting first means a cut can never leave part of a
// secret behind.
func (b *backend) clean(s string, secrets ...auth.Secret) string {
	s = auth.Redact(auth.Redact(s, b.creds.Password, b.creds.APIKey), secrets...)
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// describe says what is wrong with a document json could not decode,
// naming the field but never quoting a value. (The field's path is the
// vendor's text all the same: callers pass it through clean.)
func describe(err error) string {
	if errors.Is(err, errUserID) {
		return `user "id" is not a whole number`
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return "answer is a JSON " + te.Value + ", not an object"
		}
		return fmt.Sprintf("answer's %q is a JSON %s, not the documented type", te.Field, te.Value)
	}
	return "answer is not JSON"
}

// requestError is the error of a request Authorize will not sign.
func requestError(message string) *auth.Error {
	return &auth.Error{Provider: Name, Op: auth.OpRequest, Err: auth.ErrProtocol, Message: message}
}
