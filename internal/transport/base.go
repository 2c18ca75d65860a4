package transport

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxIdleConnsPerHost is how many idle connections the default base keeps
// per vendor host. net/http's default keeps 2, which suits one client of a
// host; a process serving thousands of tenants of one vendor would open and
// close connections all day.
const maxIdleConnsPerHost = 64

// DefaultBase is the base transport of every authenticator and client
// whose Config has no HTTPClient (or one without a Transport): one
// connection pool per vendor host for the whole process, sized for many
// tenants on one vendor. It is http.DefaultTransport's settings otherwise.
var DefaultBase http.RoundTripper = newDefaultBase()

func newDefaultBase() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0 // no bound across hosts; the per-host bound holds
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// Origin returns u's origin in canonical form: scheme and host in lower
// case, the port always written ("https://api.onsip.com:443"), so two URLs
// of one origin give one string.
func Origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port(scheme, u.Port()))
}

// SameOrigin reports whether u goes to origin, as [Origin] writes it. It
// allocates nothing for the common case of a lower-case URL.
func SameOrigin(u *url.URL, origin string) bool {
	if u == nil {
		return false
	}
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || !strings.EqualFold(u.Scheme, scheme) {
		return false
	}
	host, p, err := net.SplitHostPort(rest)
	return err == nil && strings.EqualFold(u.Hostname(), host) && port(scheme, u.Port()) == p
}

// port returns p, or the scheme's default port when p is empty.
func port(scheme, p string) string {
	if p != "" {
		return p
	}
	switch strings.ToLower(scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}
