package ipcortex

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// refusal is the error of a "fail" answer to a login.
func (d decoder) refusal(resp *provider.Response, message text) *auth.Error {
	return &auth.Error{Provider: Name, Op: auth.OpLogin, StatusCode: resp.StatusCode,
		Err: auth.ErrInvalidCredentials, Message: d.clean(string(message))}
}

// protocolError is the error of an answer that cannot be understood.
func (d decoder) protocolError(op string, resp *provider.Response, message string) *auth.Error {
	return &auth.Error{Provider: Name, Op: op, StatusCode: resp.StatusCode, Err: auth.ErrProtocol, Message: message}
}

// unexpected describes a result that is neither "success" nor "fail".
func (d decoder) unexpected(result string, secrets ...auth.Secret) string {
	if result == "" {
		return `answer has no "result"`
	}
	return fmt.Sprintf("unexpected result %q", d.clean(result, secrets...))
}

// clean makes the vendor's text fit for an error: the password, the key
// and the other secrets removed in every form (vendors echo what they were
// sent), white space folded, the length bounded.
func (d decoder) clean(s string, secrets ...auth.Secret) string {
	return provider.Clean(s, append([]auth.Secret{d.creds.Password, d.creds.APIKey}, secrets...)...)
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
func requestError(message string) *auth.Error { return provider.RequestError(Name, message) }
