package ipcortex_test

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/ipcortex"
)

// Through auth.Open, settings travel in Config.Options.
func openWithKey() (auth.Authenticator, error) {
	return auth.Open("ipcortex", auth.Config{
		Endpoint:    "https://pbx.example.com",
		Credentials: auth.Credentials{APIKey: auth.Secret(os.Getenv("IPCORTEX_API_KEY"))},
		Options:     map[string]string{"key_in_header": "true"}, // firmware 6.3.10 and later
	})
}

// Code that calls New directly may pass the Option instead.
func newWithKey() (*ipcortex.Authenticator, error) {
	return ipcortex.New(auth.Config{
		Endpoint:    "https://pbx.example.com",
		Credentials: auth.Credentials{APIKey: auth.Secret(os.Getenv("IPCORTEX_API_KEY"))},
	}, ipcortex.KeyInHeader())
}

// Example_apiKey runs the page's "Sign in with an API key" sample: both
// ways make an authenticator that puts the key in the Authorization
// header of a JSON call, and neither sends anything.
func Example_apiKey() {
	os.Setenv("IPCORTEX_API_KEY", "k-0123456789abcdef")
	opened, err := openWithKey()
	if err != nil {
		log.Fatal(err)
	}
	made, err := newWithKey()
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range []auth.Authorizer{opened.(auth.Authorizer), made} {
		req, err := http.NewRequest(http.MethodPost, a.Endpoint()+"/rest/call/list", strings.NewReader(`{}`))
		if err != nil {
			log.Fatal(err)
		}
		// What auth.NewClient does to its copy of each request.
		if err := a.Authorize(req, &auth.Session{}); err != nil {
			log.Fatal(err)
		}
		fmt.Println(req.URL, strings.HasPrefix(req.Header.Get("Authorization"), "token auth="))
	}
	// Output:
	// https://pbx.example.com/rest/call/list true
	// https://pbx.example.com/rest/call/list true
}
