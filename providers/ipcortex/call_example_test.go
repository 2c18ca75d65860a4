package ipcortex_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

// call posts a JSON request to path, one of the PBX's API paths. client is
// auth.NewClient(a, nil), made once and reused.
func call(ctx context.Context, a *ipcortex.Authenticator, client *http.Client, path, body string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Endpoint()+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req) // the credentials are added; the caller's req is not changed
	if err != nil {
		return nil, err // an *auth.Error
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body) // "result":"fail" here may mean no permission: read it
}

// Example_call runs the page's "Calling the rest of the API" sample
// against the fake PBX.
func Example_call() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{Login: "jdoe", Password: "s3cr3t"})
	a, err := ipcortex.New(auth.Config{Endpoint: srv.URL,
		Credentials: auth.Credentials{Username: "jdoe", Password: "s3cr3t"}})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	defer a.Logout(ctx)
	client, err := auth.NewClient(a, nil)
	if err != nil {
		log.Fatal(err)
	}

	answer, err := call(ctx, a, client, "/rest/call/list", `{}`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(answer))
	// Output: {"result":"success","data":{"path":"/rest/call/list","user":"jdoe"}}
}
