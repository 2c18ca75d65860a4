package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"

	"github.com/pbxauth/pbxauth/auth"
	_ "github.com/pbxauth/pbxauth/providers"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// signIn is the README's "Use" sample.
func signIn(ctx context.Context, endpoint string) error {
	a, err := auth.Open("onsip", auth.Config{
		Endpoint: endpoint, // "" for OnSIP's own API, https://api.onsip.com/api
		Credentials: auth.Credentials{
			Username: "john.doe@example.onsip.com",
			Password: auth.Secret(os.Getenv("ONSIP_PASSWORD")),
		},
	})
	if err != nil {
		return err // a configuration mistake, said plainly
	}
	defer a.Logout(ctx)

	s, err := a.Session(ctx)
	if errors.Is(err, auth.ErrInvalidCredentials) {
		return fmt.Errorf("ask the user again: %w", err)
	}
	if err != nil {
		return err // an *auth.Error: ErrUnavailable, ErrProtocol, or ctx's error
	}
	fmt.Println("signed in as", s.Username)

	// Call the rest of the vendor's API; sessions are handled for you.
	client, err := auth.NewClient(a, nil)
	if err != nil {
		return err
	}
	api := a.(auth.Authorizer).Endpoint() // https://api.onsip.com/api for OnSIP
	resp, err := client.PostForm(api, url.Values{"Action": {"UserRead"}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Println("UserRead:", resp.Status)
	return nil
}

// Example is the README's "Use" sample, signing in to the fake OnSIP API.
func Example() {
	srv := onsiptest.NewServer() // a fake of https://api.onsip.com/api
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "s3cr3t"})
	os.Setenv("ONSIP_PASSWORD", "s3cr3t")

	if err := signIn(context.Background(), srv.URL); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sessions open at OnSIP:", srv.ActiveSessions())
	// Output:
	// signed in as john.doe@example.onsip.com
	// UserRead: 200 OK
	// sessions open at OnSIP: 0
}
