package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
)

// Endpoint checks cfg and returns the endpoint to talk to: cfg.Endpoint, or
// fallback (the vendor's default) when that is empty. It refuses a URL that
// does not parse, is not absolute http or https, carries user info, a query
// or a fragment, and plain http to a host that is not loopback unless
// AllowInsecureHTTP is set; and negative retry and TTL settings. Its errors
// are plain errors that say what to change, quoting no more of the URL
// than its scheme, host and path; a provider's New returns them with its
// name in front.
func Endpoint(cfg auth.Config, fallback string) (*url.URL, error) {
	if err := checkNumbers(cfg); err != nil {
		return nil, err
	}
	raw := cfg.Endpoint
	if raw == "" {
		raw = fallback
	}
	if raw == "" {
		return nil, errors.New("Config.Endpoint is required for this provider")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// Not quoted: a URL that does not parse cannot be redacted.
		return nil, errors.New("Config.Endpoint is not a URL")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("Config.Endpoint %q: scheme must be https (or http to loopback)", quoted(u))
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("Config.Endpoint %q has no host", quoted(u))
	case u.User != nil:
		return nil, fmt.Errorf("Config.Endpoint %q carries user info; put credentials in Config.Credentials", quoted(u))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("Config.Endpoint %q must not have a query or fragment", quoted(u))
	case u.Scheme == "http" && !cfg.AllowInsecureHTTP && !IsLoopback(u.Hostname()):
		return nil, fmt.Errorf("Config.Endpoint %q is plain http to a host that is not loopback: use https, or set AllowInsecureHTTP", quoted(u))
	}
	return u, nil
}

// quoted returns u as an error quotes it: scheme, host and path only. A
// query, a fragment, user info (a token as user name, too) or an opaque
// part may carry a credential, and url.URL.Redacted keeps all but the
// password.
func quoted(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

func checkNumbers(cfg auth.Config) error {
	switch {
	case cfg.Retry.MaxAttempts < 0:
		return errors.New("Config.Retry.MaxAttempts is negative")
	case cfg.Retry.BaseDelay < 0 || cfg.Retry.MaxDelay < 0:
		return errors.New("Config.Retry delays must not be negative")
	case cfg.SessionTTL < 0:
		return errors.New("Config.SessionTTL is negative")
	}
	return nil
}

// IsLoopback reports whether host (a name or an IP, without port) is
// "localhost" or a loopback address. Names are not resolved.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Canonical writes an endpoint the one way pbxauth names it: scheme and
// host in lower case, the scheme's default port dropped, no trailing
// slash. "HTTPS://API.OnSIP.com:443/api/" and "https://api.onsip.com/api"
// are one endpoint, and so one account in a shared store.
func Canonical(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(scheme == "https" && p == "443") && !(scheme == "http" && p == "80") {
		host += ":" + p
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}
