package ipcortex_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// A password login against the fake PBX: the session's facts, a call to
// the rest of the API through auth.NewClient, and the logout.
func ExampleNew() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{
		ID: 123, Login: "jdoe", Password: "secret", Name: "John Doe",
		Company: "acme", Home: "acme", Perms: map[string]string{"calls": "company", "admin": "yes"},
	})

	a, err := ipcortex.New(auth.Config{
		Endpoint:    srv.URL, // in production: https://pbx.example.com
		Credentials: auth.Credentials{Username: "jdoe", Password: auth.Secret("secret")},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Provider, s.UserID, s.Username, s.Name, s.Roles, s.Attributes["company"], s.ID)

	// Each request gets the Red60urne cookie.
	client, err := auth.NewClient(a, srv.Client())
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.Post(srv.URL+"/rest/call/list", "application/json", strings.NewReader(`{}`))
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(body))

	if err := a.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("sessions open:", srv.ActiveSessions())
	// Output:
	// ipcortex 123 jdoe John Doe [admin calls] acme [REDACTED]
	// {"result":"success","data":{"path":"/rest/call/list","user":"jdoe"}}
	// sessions open: 0
}

// An API key ("Auth Key" token) in the Authorization header, for firmware
// 6.3.10 and later: stateless, so the session has no ID and Logout sends
// nothing.
func ExampleKeyInHeader() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{ID: 7, Login: "robot", Name: "Call Robot"})
	srv.AddAPIKey("long-api-key-goes-here", "robot")

	a, err := ipcortex.New(auth.Config{
		Endpoint:    srv.URL,
		Credentials: auth.Credentials{APIKey: auth.Secret("long-api-key-goes-here")},
	}, ipcortex.KeyInHeader())
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Username, s.UserID, s.Stateless())
	if err := a.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("requests:", srv.Requests())
	// Output:
	// robot 7 true
	// requests: 1
}
