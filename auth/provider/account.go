package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// accountKey names an account without revealing it: a hash of the
// provider, the canonical endpoint and the username (or API key). Stores
// key their records by its String and hooks report it; a changed password
// is the same account. It is held as 16 bytes, written out when used.
type accountKey [16]byte

func (k accountKey) String() string { return hex.EncodeToString(k[:]) }

func newAccountKey(provider, endpoint string, c auth.Credentials) accountKey {
	h := sha256.New()
	h.Write([]byte("pbxauth account\x00" + provider + "\x00" + endpoint + "\x00"))
	if c.APIKey != "" {
		h.Write([]byte("key\x00" + c.APIKey.Reveal()))
	} else {
		h.Write([]byte("user\x00" + c.Username))
	}
	var k accountKey
	copy(k[:], h.Sum(nil))
	return k
}

// fingerprint names a session of the account without revealing its ID, so
// a store can compare-and-delete it.
func (c *Cache) fingerprint(id auth.Secret) string {
	sum := sha256.Sum256([]byte("pbxauth session\x00" + c.Account() + "\x00" + id.Reveal()))
	return hex.EncodeToString(sum[:16])
}

// storedSession is a session as a store keeps it: every field, the ID in
// clear (stores encrypt the whole), in a form that survives versions.
type storedSession struct {
	Version     int               `json:"v"`
	Provider    string            `json:"provider"`
	ID          string            `json:"id"`
	UserID      string            `json:"user_id,omitempty"`
	Username    string            `json:"username,omitempty"`
	Name        string            `json:"name,omitempty"`
	Roles       []string          `json:"roles"`
	Permissions map[string]string `json:"permissions"`
	Attributes  map[string]string `json:"attributes"`
	IssuedAt    time.Time         `json:"issued_at"`
	ExpiresAt   time.Time         `json:"expires_at,omitzero"`
}

const storedVersion = 1

// record makes the store's record of s.
func (c *Cache) record(s *auth.Session) (*auth.Record, error) {
	b, err := json.Marshal(storedSession{
		Version: storedVersion, Provider: s.Provider, ID: s.ID.Reveal(), UserID: s.UserID, Username: s.Username,
		Name: s.Name, Roles: s.Roles, Permissions: s.Permissions, Attributes: s.Attributes,
		IssuedAt: s.IssuedAt, ExpiresAt: s.ExpiresAt,
	})
	if err != nil {
		return nil, err
	}
	return &auth.Record{Fingerprint: c.fingerprint(s.ID), Session: b, ExpiresAt: s.ExpiresAt}, nil
}

// sessionOf reads the session of a record.
func (c *Cache) sessionOf(r *auth.Record) (*auth.Session, error) {
	var st storedSession
	if err := json.Unmarshal(r.Session, &st); err != nil {
		return nil, errors.New("stored session does not decode")
	}
	switch {
	case st.Version != storedVersion:
		return nil, fmt.Errorf("stored session has version %d, want %d", st.Version, storedVersion)
	case st.ID == "" || st.Provider != c.name:
		return nil, errors.New("stored session is not a session of this account")
	case c.fingerprint(auth.Secret(st.ID)) != r.Fingerprint:
		return nil, errors.New("stored session does not match its fingerprint")
	}
	return &auth.Session{
		Provider: st.Provider, ID: auth.Secret(st.ID), UserID: st.UserID, Username: st.Username, Name: st.Name,
		Roles: st.Roles, Permissions: st.Permissions, Attributes: st.Attributes,
		IssuedAt: st.IssuedAt, ExpiresAt: st.ExpiresAt,
	}, nil
}
