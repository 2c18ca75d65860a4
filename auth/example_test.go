package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	_ "github.com/pbxauth/pbxauth/providers"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// The examples sign in to the providers' fake servers; a program leaves
// Config.Endpoint empty for OnSIP (https://api.onsip.com/api) and sets its
// PBX's URL for IPCortex, and reads the secret from the environment.

func ExampleOpen() {
	srv := onsiptest.NewServer() // a fake of https://api.onsip.com/api
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "s3cr3t"})
	os.Setenv("ONSIP_PASSWORD", "s3cr3t")

	a, err := auth.Open("onsip", auth.Config{
		Endpoint: srv.URL, // "" in a program: OnSIP's own
		Credentials: auth.Credentials{
			Username: "john.doe@example.onsip.com",
			Password: auth.Secret(os.Getenv("ONSIP_PASSWORD")),
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
	defer a.Logout(ctx)
	fmt.Println(s.Provider, s.Username, s.Roles)
	fmt.Println("session ID prints as", s.ID)
	// Output:
	// onsip john.doe@example.onsip.com [Account Admin]
	// session ID prints as [REDACTED]
}

func ExampleOpen_unknownProvider() {
	_, err := auth.Open("avaya", auth.Config{})
	message, registered, _ := strings.Cut(err.Error(), "; registered: ")
	fmt.Println(message)
	fmt.Println(strings.Contains(registered, "ipcortex, onsip"))
	// Output:
	// auth: unknown provider "avaya" (forgotten import of github.com/pbxauth/pbxauth/providers?)
	// true
}

// Provider settings travel through Config.Options, so a program that reads
// its tenants' settings from a file needs no provider-specific code.
func ExampleOpen_options() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{Login: "jane", Name: "Jane Doe"})
	srv.AddAPIKey("k-0123456789abcdef", "jane")

	a, err := auth.Open("ipcortex", auth.Config{
		Endpoint:    srv.URL,
		Credentials: auth.Credentials{APIKey: "k-0123456789abcdef"},
		Options:     map[string]string{"key_in_header": "true"}, // firmware 6.3.10 and later
	})
	if err != nil {
		log.Fatal(err)
	}
	s, err := a.Session(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Name, "stateless:", s.Stateless())

	_, err = auth.Open("ipcortex", auth.Config{Endpoint: srv.URL, Credentials: auth.Credentials{APIKey: "k"},
		Options: map[string]string{"bogus": "1"}})
	fmt.Println(err)
	// Output:
	// Jane Doe stateless: true
	// ipcortex: unknown option "bogus" in Config.Options; known: "key_in_header"
}

func ExampleAuthenticator_Session() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "jane@example.onsip.com", Password: "right"})

	a, err := auth.Open("onsip", auth.Config{Endpoint: srv.URL,
		Credentials: auth.Credentials{Username: "jane@example.onsip.com", Password: "wrong"}})
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
		fmt.Println(err)
	}
	// Output: wrong username or password: onsip session: invalid credentials (HTTP 200): Authentication failed. [Authentication]
}

// NewClient calls the rest of the vendor's API: sessions are handled for
// you, and URLs are built from the authenticator's endpoint.
func ExampleNewClient() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "s3cr3t"})

	a, err := auth.Open("onsip", auth.Config{Endpoint: srv.URL,
		Credentials: auth.Credentials{Username: "john.doe@example.onsip.com", Password: "s3cr3t"}})
	if err != nil {
		log.Fatal(err)
	}
	client, err := auth.NewClient(a, nil)
	if err != nil {
		log.Fatal(err)
	}
	endpoint := a.(auth.Authorizer).Endpoint()
	resp, err := client.PostForm(endpoint, url.Values{"Action": {"UserRead"}})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, strings.Contains(string(body), "<IsCompleted>true</IsCompleted>"))

	// Credentials go to the endpoint's origin only.
	_, err = client.Get("https://elsewhere.example/")
	fmt.Println(errors.Is(err, auth.ErrProtocol))
	// Output:
	// 200 true
	// true
}
