package provider

import (
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/internal/transport"
)

// settings are what a Cache knows of its Config that is not the account's
// own: the provider, the endpoint, the transport, the policy, the logger,
// the hooks, the store. A SaaS back end holds thousands of accounts made
// from a handful of configurations, so caches made alike share one
// settings value instead of each holding a copy: it is what keeps an idle
// tenant small.
type settings struct {
	settingsKey
	budget *transport.Budget // the vendor origin's, shared

	// storeDownUntil is when the store may be tried again after it failed
	// (unix nanoseconds): shared, so that a store that is down costs one
	// timeout for every account that uses it, not one each.
	storeDownUntil atomic.Int64
}

// settingsKey is the part of settings taken from the Config: caches whose
// keys are equal share one settings value, and the rest is made from it.
type settingsKey struct {
	name     string
	endpoint string // canonical, as Endpoint returns it
	target   string // the endpoint as configured: where a backend sends
	origin   string // transport.Origin of the endpoint

	base          http.RoundTripper // Config.HTTPClient's Transport, else transport.DefaultBase
	client        *http.Client      // Config.HTTPClient, for NewClient's defaults
	clientTimeout time.Duration
	loginTimeout  time.Duration
	ttl           time.Duration
	policy        transport.Policy
	logger        *slog.Logger // never nil
	debug         *slog.Logger // Config.Logger for the transport's debug lines; may be nil
	hooks         *auth.Hooks
	store         auth.SessionStore
}

// registry holds the settings in use, weakly: settings live as long as a
// cache uses them.
var registry transport.Registry[settingsKey, settings]

// settingsFor returns the settings of a cache of provider name made from
// cfg at endpoint: the same value for every cache made alike.
func settingsFor(name string, cfg auth.Config, endpoint *url.URL) *settings {
	k := settingsKey{
		name:         name,
		endpoint:     Canonical(endpoint),
		target:       endpoint.String(),
		origin:       transport.Origin(endpoint),
		base:         transport.DefaultBase,
		client:       cfg.HTTPClient,
		loginTimeout: auth.DefaultLoginTimeout,
		ttl:          cfg.SessionTTL,
		policy:       transport.Policy{MaxAttempts: cfg.Retry.MaxAttempts, BaseDelay: cfg.Retry.BaseDelay, MaxDelay: cfg.Retry.MaxDelay}.WithDefaults(),
		logger:       discard,
		debug:        cfg.Logger,
		hooks:        cfg.Hooks,
		store:        cfg.Store,
	}
	if cfg.Logger != nil {
		k.logger = cfg.Logger
	}
	if hc := cfg.HTTPClient; hc != nil {
		k.clientTimeout = hc.Timeout
		if hc.Timeout > 0 {
			k.loginTimeout = hc.Timeout
		}
		if hc.Transport != nil {
			k.base = hc.Transport
		}
	}
	if !transport.Comparable(k.base) || !transport.Comparable(k.store) {
		return newSettings(k) // cannot be a map key: not shared
	}
	return registry.Get(k, newSettings)
}

func newSettings(k settingsKey) *settings {
	return &settings{settingsKey: k, budget: transport.BudgetFor(k.base, k.origin)}
}

// sendsThroughBase reports whether rt, the Transport of client, is the
// settings' base, so that what client sends spends the settings' budget.
// A Transport of a func type cannot be compared: it is known by the client
// it came from.
func (s *settings) sendsThroughBase(client *http.Client, rt http.RoundTripper) bool {
	if transport.Comparable(rt) {
		return rt == s.base // unequal, not a panic, when s.base cannot be compared
	}
	return client == s.client && !transport.Comparable(s.base)
}

// discard is the logger of a Config without one, shared by every cache.
var discard = slog.New(slog.DiscardHandler)
