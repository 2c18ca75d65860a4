package ipcortex

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// Authorize puts the credentials on req, a request to the PBX's API, the
// way IPCortex expects them:
//
//   - with a password: the session s in the Red60urne cookie, replacing any
//     Red60urne cookie req already carries;
//   - with an API key and a JSON object body: the key in the body's "auth"
//     object ({"auth":{"type":"auth","key":..}}, other fields kept), unless
//     [KeyInHeader] was given. A body without an "auth" member gets one in
//     front, every byte it had kept; one with an "auth" member (or a member
//     name written with escapes) is decoded and written anew, the key
//     merged into that object;
//   - with an API key otherwise (a GET, a body that is not a JSON object,
//     or KeyInHeader): the header "Authorization: token auth=KEY".
//
// With an API key, s carries nothing Authorize needs. (auth.NewClient has
// already refused a request to another origin than the endpoint's.) It
// refuses, with an *auth.Error holding auth.ErrProtocol, a JSON object
// body over 1 MiB, too large to take the key. req is auth.NewClient's
// shallow copy of the caller's request: Authorize gives it a header or
// body of its own, and a body it rewrites stays replayable through
// GetBody.
func (a *Authenticator) Authorize(req *http.Request, s *auth.Session) error {
	if req == nil || req.URL == nil {
		return requestError("the request has no URL")
	}
	if !a.stateless() {
		if s == nil || s.Stateless() || !validCookieValue(s.ID.Reveal()) {
			return requestError("no IPCortex session to put on the request")
		}
		setSessionCookie(provider.OwnHeader(req, 1), s.ID.Reveal())
		return nil
	}
	if !a.opts.keyInHeader {
		done, err := a.keyInBody(req)
		if err != nil || done {
			return err
		}
	}
	provider.OwnHeader(req, 1).Set("Authorization", "token auth="+a.key.Reveal())
	return nil
}

// keyInBody puts the API key into req's body when that is a JSON object,
// and reports whether it did. Otherwise req keeps its body as it was.
func (a *Authenticator) keyInBody(req *http.Request) (bool, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return false, nil
	}
	// Room for the key's member and a comma, so that the splice needs no
	// other buffer. req.Body is this try's own to read (auth.Authorizer's
	// contract): a body not rewritten is put back.
	read, shape, whole, err := readJSON(req.Body, req.ContentLength, len(a.keyMember)+1)
	var merged []byte
	if err == nil && shape == object {
		var ok bool
		if merged, ok = spliceKey(read, a.keyMember.Reveal()); !ok {
			merged, _ = withKey(read, a.key.Reveal())
		}
	}
	if merged == nil {
		req.Body = provider.PutBack(read, req.Body, whole)
		switch {
		case err != nil:
			return false, requestError("cannot read the request body")
		case shape == tooLarge:
			return false, requestError("JSON body over 1 MiB: too large to add the API key to; use KeyInHeader")
		}
		return false, nil
	}
	_ = req.Body.Close() // replaced: the transport will close the new one
	// A *bytes.Reader behind io.NopCloser: net/http sends the headers and
	// such a body in one write.
	req.Body = io.NopCloser(bytes.NewReader(merged))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(merged)), nil }
	req.ContentLength = int64(len(merged))
	req.TransferEncoding = nil // the length is known now
	return true, nil
}

// withKey returns the JSON object doc with "type":"auth" and "key":key set
// in its "auth" object, which it creates, or replaces when it is not an
// object; every other field stays. ok is false when doc is not a JSON
// object.
func withKey(doc []byte, key string) (out []byte, ok bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(doc, &fields) != nil || fields == nil {
		return nil, false
	}
	var authFields map[string]json.RawMessage
	if raw, found := fields["auth"]; found {
		_ = json.Unmarshal(raw, &authFields) // not an object: replaced
	}
	if authFields == nil {
		authFields = make(map[string]json.RawMessage, 2)
	}
	authFields["type"] = json.RawMessage(`"auth"`)
	authFields["key"], ok = encode(key)
	if ok {
		fields["auth"], ok = encode(authFields)
	}
	if ok {
		out, ok = encode(fields)
	}
	return out, ok
}

// encode marshals v without escaping <, > and &, so the caller's strings go
// out as they came.
func encode(v any) ([]byte, bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}
