package ipcortex

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
)

// The authentication API's paths, relative to the endpoint, as the vendor's
// page writes them.
const (
	loginPath  = "rest/auth/"
	logoutPath = "rest/auth/logout"
)

// logoutBody is the whole body of a logout: the cookie says which session.
const logoutBody = `{"auth":{"type":"auth"}}`

// backend speaks the IPCortex protocol for the [auth.SessionCache].
type backend struct {
	caller    *auth.Caller
	origin    *http.Request // the endpoint, for comparing origins
	loginURL  string
	logoutURL string
	creds     auth.Credentials
	opts      options

	// loginBody is the login's whole body, built once since it never
	// changes; a Secret, as it holds the password or the key.
	loginBody auth.Secret
	// keyHeader is the Authorization header "token auth=KEY" with a key,
	// else "".
	keyHeader auth.Secret
	// keyMember is the body member `"auth":{"type":"auth","key":KEY}`
	// that Authorize splices into a JSON body, with a key; else "".
	keyMember auth.Secret
}

// newBackend checks cfg and makes the backend for it. Its errors are the
// plain errors New returns.
func newBackend(cfg auth.Config, o options) (*backend, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("ipcortex: Config.Endpoint is required: the PBX's base URL, " +
			"such as https://pbx.example.com (IPCortex has no vendor-wide host)")
	}
	c := cfg.Credentials
	if c.APIKey == "" && (c.Username == "" || c.Password == "") {
		return nil, errors.New("ipcortex: Config.Credentials needs an APIKey, or both a Username and a Password")
	}
	if strings.ContainsFunc(c.APIKey.Reveal(), isControl) {
		// It would break the header, and no real key holds one.
		return nil, errors.New("ipcortex: Config.Credentials.APIKey holds a control character")
	}
	u, err := cfg.EndpointURL("")
	if err != nil {
		return nil, err
	}
	b := &backend{
		caller:    auth.NewCaller(Name, cfg),
		origin:    &http.Request{URL: u},
		loginURL:  joinPath(u, loginPath),
		logoutURL: joinPath(u, logoutPath),
		creds:     c,
		opts:      o,
	}
	if b.loginBody, err = loginRequest(c, o); err != nil {
		return nil, errors.New("ipcortex: cannot encode the login request") // strings always encode
	}
	if c.APIKey != "" {
		b.keyHeader = "token auth=" + c.APIKey
		member, ok := keyMember(c.APIKey.Reveal())
		if !ok {
			return nil, errors.New("ipcortex: cannot encode the API key") // strings always encode
		}
		b.keyMember = auth.Secret(member)
	}
	return b, nil
}

// joinPath puts path under the endpoint's own path, whether or not that
// ends in a slash: "https://pbx/sub" and "https://pbx/sub/" both give
// "https://pbx/sub/rest/auth/".
func joinPath(endpoint *url.URL, path string) string {
	return endpoint.JoinPath(path).String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// stateless reports whether b signs in with an API key.
func (b *backend) stateless() bool { return b.creds.APIKey != "" }

// Login sends the login, or the key check, and reads the answer.
func (b *backend) Login(ctx context.Context) (*auth.Session, error) {
	req, err := b.post(ctx, auth.OpLogin, b.loginURL, b.loginBody.Reveal())
	if err != nil {
		return nil, err
	}
	// No Red60urne cookie, ever: the vendor's page says a login carrying one
	// affects that session rather than opening a new one.
	if b.stateless() && b.opts.keyInHeader {
		req.Header.Set("Authorization", b.keyHeader.Reveal())
	}
	resp, err := b.caller.Do(req, auth.OpLogin)
	if err != nil {
		return nil, err
	}
	return b.decodeLogin(resp)
}

// Logout ends s at the PBX. The PBX answering "fail", 401 or 403 means it no
// longer knows the session: that is success.
func (b *backend) Logout(ctx context.Context, s *auth.Session) error {
	if s.Stateless() {
		return nil // an API key opened no session
	}
	req, err := b.post(ctx, auth.OpLogout, b.logoutURL, logoutBody)
	if err != nil {
		return err
	}
	// The cookie goes on this request only, which goes to the configured
	// origin only: the Caller follows no redirect.
	req.Header.Set("Cookie", CookieName+"="+s.ID.Reveal())
	resp, err := b.caller.Do(req, auth.OpLogout)
	if errors.Is(err, auth.ErrSessionExpired) {
		return nil
	}
	if err != nil {
		return err
	}
	return b.decodeLogout(resp, s)
}

// post returns a JSON POST of body to url; body can be replayed, so the
// transport may retry it.
func (b *backend) post(ctx context.Context, op, url, body string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		// Only a nil ctx gets here: the URL was checked by New.
		return nil, &auth.Error{Provider: Name, Op: op, Err: errors.Join(auth.ErrProtocol, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
