package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/auth/provider"
)

// acme is a vendor whose login is POST /login {"user","password"},
// answered {"session":"..."} or 401, and whose API takes the session in
// the header X-Acme-Session.

// acmeBackend speaks Acme's sign-in protocol for the cache.
type acmeBackend struct {
	endpoint string
	creds    auth.Credentials
}

func (b *acmeBackend) OpenSession(ctx context.Context, call *provider.Caller, _ *auth.Session) (*auth.Session, bool, error) {
	body, _ := json.Marshal(map[string]string{"user": b.creds.Username, "password": b.creds.Password.Reveal()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.endpoint+"/login", strings.NewReader(string(body)))
	if err != nil {
		return nil, false, err
	}
	resp, err := call.Do(req, auth.OpLogin) // retries, limits, classifies (401 is ErrInvalidCredentials)
	if err != nil {
		return nil, false, err
	}
	var answer struct{ Session string }
	if json.Unmarshal(resp.Body, &answer) != nil || answer.Session == "" {
		return nil, false, &auth.Error{Provider: "acme", Op: auth.OpLogin, StatusCode: resp.StatusCode,
			Err: auth.ErrProtocol, Message: "the answer has no session"}
	}
	return &auth.Session{ID: auth.Secret(answer.Session), Username: b.creds.Username}, false, nil
}

func (b *acmeBackend) CloseSession(context.Context, *provider.Caller, *auth.Session) error {
	return nil // Acme sessions end by themselves
}

// Acme is the authenticator: the cache, and how a session rides on a
// request.
type Acme struct{ *provider.Cache }

func (Acme) Authorize(req *http.Request, s *auth.Session) error {
	provider.OwnHeader(req, 1).Set("X-Acme-Session", s.ID.Reveal()) // the caller's header stays as it was
	return nil
}

func NewAcme(cfg auth.Config) (*Acme, error) {
	if err := provider.CheckOptions(cfg.Options); err != nil {
		return nil, fmt.Errorf("acme: %w", err)
	}
	u, err := provider.Endpoint(cfg, "https://api.acme.example")
	if err != nil {
		return nil, fmt.Errorf("acme: %w", err)
	}
	return &Acme{provider.NewCache("acme", cfg, u, &acmeBackend{endpoint: u.String(), creds: cfg.Credentials})}, nil
}

func ExampleNewCache() {
	vendor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"session":"s-1"}`))
	}))
	defer vendor.Close()

	a, err := NewAcme(auth.Config{Endpoint: vendor.URL, Credentials: auth.Credentials{Username: "jo", Password: "pw"}})
	if err != nil {
		log.Fatal(err)
	}
	var _ auth.Authorizer = a // everything auth.NewClient needs
	s, err := a.Session(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Provider, s.Username, s.ID)
	// Output: acme jo [REDACTED]
}
