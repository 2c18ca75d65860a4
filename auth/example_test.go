package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/pbxauth/pbxauth/auth"
)

// exampleBackend stands in for a vendor: a real program imports
// github.com/pbxauth/pbxauth/providers and opens "onsip" or "ipcortex".
type exampleBackend struct{ creds auth.Credentials }

func (b exampleBackend) Login(context.Context) (*auth.Session, error) {
	if b.creds.Password.Reveal() != "right" {
		return nil, &auth.Error{Provider: "example", Op: auth.OpLogin, StatusCode: 200, Err: auth.ErrInvalidCredentials}
	}
	return &auth.Session{ID: "s3cr3t-session", UserID: "152255", Username: b.creds.Username, Roles: []string{"Account Admin"}}, nil
}

func (exampleBackend) Logout(context.Context, *auth.Session) error { return nil }

func init() {
	auth.Register("example", func(cfg auth.Config) (auth.Authenticator, error) {
		return auth.NewSessionCache("example", cfg, exampleBackend{cfg.Credentials}), nil
	})
}

func ExampleOpen() {
	a, err := auth.Open("example", auth.Config{Credentials: auth.Credentials{
		Username: "john.doe@example.onsip.com",
		Password: auth.Secret("right"), // in a program: auth.Secret(os.Getenv("ONSIP_PASSWORD"))
	}})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Logout(ctx)
	fmt.Println(s.Provider, s.UserID, s.Username, s.Roles)
	fmt.Println("session ID prints as", s.ID)
	// Output:
	// example 152255 john.doe@example.onsip.com [Account Admin]
	// session ID prints as [REDACTED]
}

func ExampleOpen_unknownProvider() {
	_, err := auth.Open("avaya", auth.Config{})
	fmt.Println(err != nil)
	// Output: true
}

func ExampleAuthenticator_Session() {
	a, err := auth.Open("example", auth.Config{Credentials: auth.Credentials{Username: "jane", Password: "wrong"}})
	if err != nil {
		log.Fatal(err)
	}
	_, err = a.Session(context.Background())
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		fmt.Println("wrong username or password:", err)
	case errors.Is(err, auth.ErrUnavailable):
		fmt.Println("try again later:", err)
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
	}
	// Output: wrong username or password: example session: invalid credentials (HTTP 200)
}
