package ipcortex

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// The authentication API's paths, relative to the endpoint, as the vendor's
// page writes them.
const (
	loginPath  = "rest/auth/"
	logoutPath = "rest/auth/logout"
)

// logoutBody is the whole body of a logout: the cookie says which session.
const logoutBody = `{"auth":{"type":"auth"}}`

// backend is the Authenticator seen by its cache: the IPCortex sign-in
// protocol. A type of its own keeps OpenSession and CloseSession out of the
// Authenticator's API.
type backend Authenticator

// Stateless reports whether the account signs in with an API key: then
// there is no session to share through Config.Store.
func (b *backend) Stateless() bool { return (*Authenticator)(b).stateless() }

// joinPath puts path under the endpoint's own path, whether or not that
// ends in a slash: "https://pbx/sub" and "https://pbx/sub/" both give
// "https://pbx/sub/rest/auth/".
func joinPath(endpoint, path string) string {
	if plainPath(endpoint) {
		// What JoinPath would write, without parsing the URL again on
		// every login: New refused a query and a fragment.
		return strings.TrimRight(endpoint, "/") + "/" + strings.TrimLeft(path, "/")
	}
	u, _ := url.Parse(endpoint) // checked by New
	return u.JoinPath(path).String()
}

// plainPath reports whether endpoint's path has nothing url.JoinPath
// would clean: no empty segment and no dot segment.
func plainPath(endpoint string) bool {
	_, rest, _ := strings.Cut(endpoint, "://")
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return true
	}
	p := strings.TrimRight(rest[i:], "/")
	return !strings.Contains(p, "//") && !strings.Contains(p, "/.")
}

// OpenSession sends the login, or the key check, and reads the answer.
// With a held session prev it sends prev's cookie: the vendor's page says
// a login carrying the Red60urne cookie affects that session instead of
// opening another, so the session is renewed in place and nothing is left
// open. It reports renewed only when the PBX kept the session's value: one
// that hands back another is taken at its word that the old session is
// gone, and the cache logs the old value out all the same (an answer that
// it is unknown counts as done), so nothing can stay open. Should the PBX
// refuse a login with the cookie, it is tried once more without it, as a
// first login.
func (b *backend) OpenSession(ctx context.Context, call *provider.Caller, prev *auth.Session) (*auth.Session, bool, error) {
	renew := !(*Authenticator)(b).stateless() && prev != nil && !prev.Stateless() && validCookieValue(prev.ID.Reveal())
	if renew {
		s, err := b.login(ctx, call, prev.ID)
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			return s, err == nil && s.ID == prev.ID, err
		}
	}
	s, err := b.login(ctx, call, "")
	return s, false, err
}

// login sends the login, or the key check, with the credentials the cache
// holds (the key, in the body or the header, included), and the session
// cookie when there is one to renew.
func (b *backend) login(ctx context.Context, call *provider.Caller, cookie auth.Secret) (*auth.Session, error) {
	creds := call.Credentials()
	req := post(ctx, joinPath(call.Endpoint(), loginPath), loginRequest(creds, b.opts).Reveal())
	if creds.APIKey != "" && b.opts.keyInHeader {
		req.Header.Set("Authorization", "token auth="+creds.APIKey.Reveal())
	}
	if cookie != "" {
		req.Header.Set("Cookie", CookieName+"="+cookie.Reveal())
	}
	resp, err := call.Do(req, auth.OpLogin)
	if err != nil {
		return nil, endpointHint(err)
	}
	return decoder{creds}.decodeLogin(resp)
}

// CloseSession ends s at the PBX. The PBX answering "fail", 401 or 403
// means it no longer knows the session: that is success.
func (b *backend) CloseSession(ctx context.Context, call *provider.Caller, s *auth.Session) error {
	if s.Stateless() {
		return nil // an API key opened no session
	}
	req := post(ctx, joinPath(call.Endpoint(), logoutPath), logoutBody)
	// The cookie goes on this request only, which goes to the configured
	// origin only: the Caller follows no redirect.
	req.Header.Set("Cookie", CookieName+"="+s.ID.Reveal())
	resp, err := call.Do(req, auth.OpLogout)
	if errors.Is(err, auth.ErrSessionExpired) {
		return nil
	}
	if err != nil {
		return err
	}
	return decoder{call.Credentials()}.decodeLogout(resp, s)
}

// post returns a JSON POST of body to url; body can be replayed, so the
// transport may retry it. It cannot fail: the cache never passes a nil
// ctx (a Backend's context has a deadline), and url is the endpoint New
// checked with a path of ours under it.
func post(ctx context.Context, url, body string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// endpointHint explains a 404 at login: the endpoint is most likely not
// the PBX's base URL.
func endpointHint(err error) error {
	var e *auth.Error
	if errors.As(err, &e) && e.StatusCode == http.StatusNotFound {
		e.Message = "Not Found: Config.Endpoint must be the PBX's base URL, such as https://pbx.example.com (pbxauth adds /rest/auth/)"
	}
	return err
}
