package ipcortex_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/pbxauth/pbxauth/auth"
	_ "github.com/pbxauth/pbxauth/providers/ipcortex" // or .../providers for every vendor
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// signIn is the "Sign in with a password" sample of
// docs/providers/ipcortex.md.
func signIn(ctx context.Context, pbxURL string) error {
	a, err := auth.Open("ipcortex", auth.Config{
		Endpoint: pbxURL, // required: the PBX's base URL, e.g. https://pbx.example.com
		Credentials: auth.Credentials{
			Username: "jdoe",
			Password: auth.Secret(os.Getenv("IPCORTEX_PASSWORD")),
		},
	})
	if err != nil {
		return err // a configuration mistake, said plainly; nothing was sent
	}
	defer func() {
		if err := a.Logout(ctx); err != nil {
			log.Print(err) // no error text holds the password or the session
		}
	}()
	s, err := a.Session(ctx)
	if err != nil {
		return err // an *auth.Error; see "Which answer gives which error"
	}
	fmt.Printf("signed in as %s (user %s, permissions %v)\n", s.Username, s.UserID, s.Permissions)
	return nil
}

// Example_signIn runs the page's password sample against the fake PBX.
func Example_signIn() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{ID: 123, Login: "jdoe", Password: "s3cr3t", Perms: map[string]string{"calls": "company"}})
	os.Setenv("IPCORTEX_PASSWORD", "s3cr3t")

	if err := signIn(context.Background(), srv.URL); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sessions open at the PBX:", srv.ActiveSessions())
	// Output:
	// signed in as jdoe (user 123, permissions map[calls:company])
	// sessions open at the PBX: 0
}
