package onsip

import (
	"slices"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// decodeLogin judges the answer to a SessionCreate sent for username and
// password: a session, or an *auth.Error holding one sentinel.
//
// A Response whose Session/IsEstablished is not true is a refusal of the
// credentials whatever errors stand beside it; only a Response that says
// nothing at all (no IsEstablished, no error, no false flag) is not
// understood.
func decodeLogin(resp *provider.Response, username string, password auth.Secret) (*auth.Session, error) {
	doc, err := judge(resp, auth.OpLogin, password)
	if err != nil {
		return nil, err
	}
	c := &doc.Context
	s := &c.Session
	if s.IsEstablished == nil || !isTrue(*s.IsEstablished) {
		sentinel, msg := auth.ErrInvalidCredentials, "OnSIP established no session"
		if s.IsEstablished == nil && !c.saysNo() {
			sentinel, msg = auth.ErrProtocol, "answer says nothing of a session"
		}
		// A server that sent a SessionId beside its refusal may quote it.
		return nil, refusal(resp, auth.OpLogin, sentinel, msg, c.firstError(), password, auth.Secret(s.SessionID))
	}
	id := strings.TrimSpace(s.SessionID)
	if id == "" {
		return nil, failure(resp, auth.OpLogin, auth.ErrProtocol, "answer establishes a session but has no SessionId")
	}
	return &auth.Session{
		Provider: Name,
		ID:       auth.Secret(id),
		UserID:   strings.TrimSpace(s.UserID),
		Username: username,
		Roles:    provider.SharedStrings(roleNames(s.Roles)), // read-only: shared between accounts
	}, nil
}

// decodeLogout judges the answer to a SessionDestroy of session id. The
// session is gone when IsEstablished is false or when an error names the
// SessionId parameter (OnSIP no longer knows it).
func decodeLogout(resp *provider.Response, id auth.Secret) error {
	doc, err := judge(resp, auth.OpLogout, id)
	if err != nil {
		return err
	}
	c := &doc.Context
	established := c.Session.IsEstablished
	switch {
	case c.refusesSession(), established != nil && isFalse(*established):
		return nil
	case established != nil && isTrue(*established):
		return refusal(resp, auth.OpLogout, auth.ErrProtocol, "session still established after SessionDestroy", c.firstError(), id)
	}
	return refusal(resp, auth.OpLogout, auth.ErrProtocol, "answer says nothing of the session", c.firstError(), id)
}

// judge parses resp's body and returns it when it is a Response. An
// Exception is auth.ErrUnavailable, carrying its text; anything else is
// auth.ErrProtocol. secrets are removed from any text of the body that goes
// into the error.
func judge(resp *provider.Response, op string, secrets ...auth.Secret) (*document, error) {
	doc, err := parse(resp.Body)
	if err != nil {
		return nil, failure(resp, op, auth.ErrProtocol, err.Error())
	}
	switch doc.XMLName.Local {
	case rootResponse:
		return doc, nil
	case rootException:
		msg := provider.Clean(doc.Text, secrets...)
		if msg == "" {
			msg = "OnSIP reported an exception with no text"
		}
		return nil, failure(resp, op, auth.ErrUnavailable, msg)
	}
	return nil, failure(resp, op, auth.ErrProtocol,
		"answer's root element is <"+provider.Clean(doc.XMLName.Local, secrets...)+">, not <Response>")
}

// refusal is an error carrying OnSIP's own code and message when e is not
// nil, else msg. The code is the error's Code, or its Parameter when it
// has none.
func refusal(resp *provider.Response, op string, sentinel error, msg string, e *apiError, secrets ...auth.Secret) *auth.Error {
	err := failure(resp, op, sentinel, msg)
	if e != nil {
		code := e.Code
		if strings.TrimSpace(code) == "" {
			code = e.Parameter
		}
		err.Code = provider.Clean(code, secrets...)
		if m := provider.Clean(e.Message, secrets...); m != "" {
			err.Message = m
		}
	}
	return err
}

// failure is an error of op about resp.
func failure(resp *provider.Response, op string, sentinel error, msg string) *auth.Error {
	return &auth.Error{Provider: Name, Op: op, StatusCode: resp.StatusCode, Err: sentinel, Message: msg}
}

// roleNames returns the non-empty role names, trimmed and sorted.
func roleNames(names []string) []string {
	roles := names[:0]
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			roles = append(roles, n)
		}
	}
	if len(roles) == 0 {
		return nil
	}
	slices.Sort(roles)
	return roles
}
