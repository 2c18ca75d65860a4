package onsip_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/pbxauth/pbxauth/auth"
	_ "github.com/pbxauth/pbxauth/providers/onsip" // or .../providers for every vendor
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// signIn is the "Sign in" sample of docs/providers/onsip.md.
func signIn(ctx context.Context, endpoint string) error {
	a, err := auth.Open("onsip", auth.Config{
		Endpoint: endpoint, // "" for OnSIP's own API, https://api.onsip.com/api
		Credentials: auth.Credentials{
			Username: "john.doe@example.onsip.com",             // the full user@domain login name
			Password: auth.Secret(os.Getenv("ONSIP_PASSWORD")), // the Admin Portal password
		},
	})
	if err != nil {
		return err // a configuration mistake, said plainly; nothing was sent
	}
	defer func() {
		if err := a.Logout(ctx); err != nil {
			log.Print(err) // no error text holds the password or the session ID
		}
	}()
	s, err := a.Session(ctx)
	if err != nil {
		return err // an *auth.Error; see "Which answer gives which error"
	}
	fmt.Printf("signed in as %s (user %s, roles %v)\n", s.Username, s.UserID, s.Roles)
	return nil
}

// Example_signIn runs the page's sign-in sample against the fake API.
func Example_signIn() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "s3cr3t"})
	os.Setenv("ONSIP_PASSWORD", "s3cr3t")

	if err := signIn(context.Background(), srv.URL); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sessions open at OnSIP:", srv.ActiveSessions())
	// Output:
	// signed in as john.doe@example.onsip.com (user 100001, roles [Account Admin])
	// sessions open at OnSIP: 0
}
