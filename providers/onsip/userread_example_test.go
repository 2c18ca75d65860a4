package onsip_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// userRead asks OnSIP for a user. client is auth.NewClient(a, nil), made
// once and reused.
func userRead(ctx context.Context, a *onsip.Authenticator, client *http.Client, userID string) ([]byte, error) {
	form := url.Values{"Action": {"UserRead"}, "UserId": {userID}} // add "Output": {"json"} for JSON
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Endpoint(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req) // the session is added; the caller's req is not changed
	if err != nil {
		return nil, err // an *auth.Error
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body) // the answer as OnSIP sent it
}

// Example_userRead runs the page's "Calling the rest of the API" sample
// against the fake API.
func Example_userRead() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "s3cr3t"})
	a, err := onsip.New(auth.Config{Endpoint: srv.URL,
		Credentials: auth.Credentials{Username: "john.doe@example.onsip.com", Password: "s3cr3t"}})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	defer a.Logout(ctx)
	client, err := auth.NewClient(a, nil)
	if err != nil {
		log.Fatal(err)
	}
	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}

	answer, err := userRead(ctx, a, client, s.UserID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.Contains(string(answer), "<IsCompleted>true</IsCompleted>"), srv.Calls("UserRead"))
	// Output: true 1
}
