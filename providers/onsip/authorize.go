package onsip

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
)

// maxFormBody bounds the request body Authorize reads to add the session.
const maxFormBody = 1 << 20

// sessionParam is the parameter that carries the session on every OnSIP
// request.
const sessionParam = "SessionId"

// Authorize puts s's SessionId on req, a request to the OnSIP API, the way
// OnSIP reads it: in the query of a GET, HEAD or DELETE, and in the
// URL-encoded form body of any other method, replacing a SessionId already
// there. The new body is replayable (GetBody is set). A body of another
// content type (a multipart form, say) is left alone and the SessionId goes
// into the query instead.
//
// Authorize gives req, auth.NewClient's shallow copy of the caller's
// request, a new URL or body and header of its own; what it shares with
// the caller's request is left as it was. (auth.NewClient has already
// refused a request to another origin than the endpoint's.) It refuses,
// with an *auth.Error holding auth.ErrProtocol, a query or form body that
// is not URL-encoded or is over 1 MiB.
func (a *Authenticator) Authorize(req *http.Request, s *auth.Session) error {
	switch {
	case s == nil || s.ID == "":
		return requestError("no OnSIP session to put on the request")
	case req.URL == nil:
		return requestError("the request has no URL")
	}
	id := s.ID.Reveal()
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodDelete:
		return setQuery(req, id)
	}
	if !isForm(req.Header.Get("Content-Type")) {
		return setQuery(req, id)
	}
	return setForm(req, id)
}

// setQuery sets the SessionId parameter of req's query.
func setQuery(req *http.Request, id string) error {
	q, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return requestError("the request's query is not URL-encoded")
	}
	q.Set(sessionParam, id)
	u := *req.URL // the caller's URL stays as it was
	u.RawQuery = q.Encode()
	req.URL = &u
	return nil
}

// setForm sets the SessionId parameter of req's form body and makes the
// new body replayable.
func setForm(req *http.Request, id string) error {
	var raw []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		raw, err = io.ReadAll(io.LimitReader(req.Body, maxFormBody+1))
		_ = req.Body.Close() // replaced below; the transport will not close it
		switch {
		case err != nil:
			return &auth.Error{Provider: Name, Op: auth.OpRequest, Err: auth.ErrProtocol,
				Message: "cannot read the request body"}
		case len(raw) > maxFormBody:
			return requestError("the request body is over 1 MiB")
		}
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return requestError("the request body is not a URL-encoded form")
	}
	form.Set(sessionParam, id)
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	req.TransferEncoding = nil // the length is known now
	if req.Header.Get("Content-Type") != formType {
		req.Header = req.Header.Clone() // the caller's header stays as it was
		if req.Header == nil {
			req.Header = make(http.Header, 1)
		}
		req.Header.Set("Content-Type", formType)
	}
	return nil
}

// isForm reports whether a body of contentType can take the SessionId: a
// URL-encoded form, or a body that does not say what it is.
func isForm(contentType string) bool {
	if contentType == "" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == formType
}

func requestError(msg string) *auth.Error {
	return &auth.Error{Provider: Name, Op: auth.OpRequest, Err: auth.ErrProtocol, Message: msg}
}
