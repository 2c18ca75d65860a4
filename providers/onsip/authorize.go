package onsip

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// maxFormBody bounds the request body Authorize reads to add the session:
// the bound on every body pbxauth reads.
const maxFormBody = provider.MaxResponseSize

// sessionParam is the parameter that carries the session on every OnSIP
// request.
const sessionParam = "SessionId"

// Authorize puts s's SessionId on req, a request to the OnSIP API, the way
// OnSIP reads it: in the query of a GET, HEAD or DELETE, and in the
// URL-encoded form body of any other method, replacing a SessionId already
// there. The new body is replayable (GetBody is set). A body of another
// content type (a multipart form, say) is left alone and the SessionId goes
// into the query instead. A plain form or query keeps every byte it had,
// the SessionId added at its end; one with a SessionId, or an escaped key,
// is parsed and written anew, its parameters sorted by key.
//
// A call that names only read-only actions (every Action parameter, in the
// form and the query, ends in "Read" or "Browse") is marked safe to repeat
// with provider.MarkRepeatable, unless its method or the caller's own mark
// says so already: OnSIP sends reads as POSTs too, so the method cannot
// say. The mark is not sent.
//
// req is auth.NewClient's shallow copy of the caller's request: Authorize
// gives it a URL, body and header of its own before changing them, and
// what it shares with the caller's request stays as it was. (NewClient has
// already refused a request to another origin than the endpoint's.) It
// refuses, with an *auth.Error holding auth.ErrProtocol, a query or form
// body that is not URL-encoded or is over 1 MiB.
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
	scan := scanForm(req.URL.RawQuery)
	var query string
	if scan.plain {
		query = querySession(req.URL.RawQuery, id)
	} else {
		var err error
		if query, err = rewriteForm(req.URL.RawQuery, id); err != nil {
			return requestError("the request's query is not URL-encoded")
		}
	}
	// A body of another type may name actions too: only a call without
	// one is judged by its query alone.
	noBody := req.Body == nil || req.Body == http.NoBody
	if noBody && !provider.Repeatable(req) && readOnlyCall(scan, noForm) {
		provider.MarkRepeatable(req)
	}
	u := *req.URL // the caller's URL stays as it was
	u.RawQuery = query
	req.URL = &u
	return nil
}

// setForm sets the SessionId parameter of req's form body and makes the
// new body replayable.
func setForm(req *http.Request, id string) error {
	var raw []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		// Room for the session, so that adding it needs no other buffer.
		raw, _, err = provider.ReadStart(req.Body, req.ContentLength, maxFormBody, len("&"+sessionPair)+len(url.QueryEscape(id)), nil)
		_ = req.Body.Close() // replaced below; the transport will not close it
		switch {
		case err != nil:
			return requestError("cannot read the request body")
		case len(raw) > maxFormBody:
			return requestError("the request body is over 1 MiB")
		}
	}
	scan := scanForm(raw)
	readOnly := !provider.Repeatable(req) && readOnlyCall(scanForm(req.URL.RawQuery), scan)
	var body []byte
	if scan.plain {
		body = appendSessionForm(raw, id)
	} else {
		form, err := rewriteForm(string(raw), id)
		if err != nil {
			return requestError("the request body is not a URL-encoded form")
		}
		body = []byte(form)
	}
	// A *bytes.Reader behind io.NopCloser: net/http sends the headers and
	// such a body in one write.
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	req.TransferEncoding = nil // the length is known now
	if readOnly {
		provider.MarkRepeatable(req) // gives req a header of its own
	}
	if ct := req.Header["Content-Type"]; len(ct) != 1 || ct[0] != formType {
		if !readOnly {
			provider.OwnHeader(req, 1)
		}
		req.Header.Set("Content-Type", formType)
	}
	return nil
}

// rewriteForm sets the SessionId parameter of form, a URL-encoded form,
// the long way: parsed, set, and encoded anew with its keys sorted. It
// takes any form url.ParseQuery takes.
func rewriteForm(form, id string) (string, error) {
	values, err := url.ParseQuery(form)
	if err != nil {
		return "", err
	}
	values.Set(sessionParam, id)
	return values.Encode(), nil
}

// isForm reports whether a body of contentType can take the SessionId: a
// URL-encoded form, or a body that does not say what it is.
func isForm(contentType string) bool {
	if contentType == "" {
		return true
	}
	// As mime.ParseMediaType finds the media type; its parameters are
	// parsed, which allocates, only when there are some to check.
	base, params, _ := strings.Cut(contentType, ";")
	if strings.TrimSpace(strings.ToLower(base)) != formType {
		return false
	}
	if strings.TrimSpace(params) == "" {
		return true
	}
	_, _, err := mime.ParseMediaType(contentType)
	return err == nil
}

func requestError(msg string) *auth.Error { return provider.RequestError(Name, msg) }
