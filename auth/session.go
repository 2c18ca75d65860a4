package auth

import (
	"log/slog"
	"time"
)

// Session is a signed-in session at a provider. Values returned by an
// [Authenticator] are shared between callers and must not be modified.
type Session struct {
	Provider    string            // "onsip", "ipcortex"
	ID          Secret            // the vendor's session ID; "" for stateless API-key auth
	UserID      string            // the vendor's user ID, as decimal text
	Username    string            // the login name
	Name        string            // display name, where the provider gives one
	Roles       []string          // role or permission names, sorted
	Permissions map[string]string // permission name -> scope, where the provider has them; else nil
	Attributes  map[string]string // other provider facts (company, home, ...)
	IssuedAt    time.Time         // when the login answered
	ExpiresAt   time.Time         // zero when neither the provider nor Config.SessionTTL gives an expiry
}

// ExpiryWindow is how long before ExpiresAt a session already counts as
// expired, so that a request does not leave with a session that dies on the
// way (x/oauth2 uses the same 10 s). A session whose whole lifetime is
// short gets a quarter of it instead, so that a short SessionTTL never
// makes every call log in.
const ExpiryWindow = 10 * time.Second

// Stateless reports whether the session carries no ID (API-key auth): there
// is nothing to log out.
func (s *Session) Stateless() bool { return s.ID == "" }

// Expired reports whether s is no longer handed out at time now: it has
// reached [Session.RefreshAt]. A session without an expiry never expires by
// time.
func (s *Session) Expired(now time.Time) bool {
	at := s.RefreshAt()
	return !at.IsZero() && !now.Before(at)
}

// RefreshAt is when s stops being handed out: its ExpiresAt less the
// expiry window ([ExpiryWindow], or a quarter of the session's lifetime
// when that is shorter). It is zero for a session without an expiry.
func (s *Session) RefreshAt() time.Time {
	if s.ExpiresAt.IsZero() {
		return time.Time{}
	}
	window := ExpiryWindow
	if life := s.ExpiresAt.Sub(s.IssuedAt); !s.IssuedAt.IsZero() && life/4 < window {
		window = max(life/4, 0)
	}
	return s.ExpiresAt.Add(-window)
}

// LogValue logs the session's facts; the ID prints as [Redacted].
func (s *Session) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{
		slog.String("provider", s.Provider),
		slog.Any("id", s.ID),
		slog.String("user_id", s.UserID),
		slog.String("username", s.Username),
	}
	if !s.ExpiresAt.IsZero() {
		attrs = append(attrs, slog.Time("expires_at", s.ExpiresAt))
	}
	return slog.GroupValue(attrs...)
}
