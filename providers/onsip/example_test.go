package onsip_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// Sign in to a fake OnSIP API, the way a test of your own code would; in
// production leave Endpoint empty to reach https://api.onsip.com/api.
func ExampleNew() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "mysuperpassword"})

	a, err := onsip.New(auth.Config{
		Endpoint: srv.URL,
		Credentials: auth.Credentials{
			Username: "john.doe@example.onsip.com",
			Password: auth.Secret("mysuperpassword"), // in production: auth.Secret(os.Getenv("ONSIP_PASSWORD"))
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Username, s.UserID, s.Roles, s.ID)
	if err := a.Logout(ctx); err != nil {
		log.Fatal(err)
	}

	srv.RejectCredentials(true)
	_, err = a.Login(ctx)
	fmt.Println(errors.Is(err, auth.ErrInvalidCredentials))
	fmt.Println(err)
	// Output:
	// john.doe@example.onsip.com 100001 [Account Admin] [REDACTED]
	// true
	// onsip login: invalid credentials (HTTP 200): Authentication failed. [Authentication]
}
