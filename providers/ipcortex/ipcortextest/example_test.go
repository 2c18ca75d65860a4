package ipcortextest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/cookiejar"
	"strings"

	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
)

func ExampleNewServer() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{
		ID: 123, Login: "jdoe", Password: "secret", Name: "John Doe",
		Company: "acme", Home: "acme", Perms: map[string]string{"calls": "company"},
	})

	// A cookie jar carries the Red60urne session cookie from the login to
	// the calls that follow.
	jar, err := cookiejar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	client := srv.Client()
	client.Jar = jar

	call := func(path, body string) map[string]any {
		resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			log.Fatal(err)
		}
		return doc
	}

	doc := call("/rest/auth/", `{"auth":{"type":"auth","username":"jdoe","password":"secret"}}`)
	user := doc["user"].(map[string]any)
	fmt.Println(doc["result"], user["id"], user["login"], user["perms"])
	fmt.Println(call("/rest/call/list", `{}`))
	fmt.Println(call("/rest/auth/logout", `{"auth":{"type":"auth"}}`))
	fmt.Println(call("/rest/call/list", `{}`))
	fmt.Println(srv.Logins(), srv.Logouts(), srv.ActiveSessions())
	// Output:
	// success 123 jdoe map[calls:company]
	// map[data:map[path:/rest/call/list user:jdoe] result:success]
	// map[result:success]
	// map[message:authentication required result:fail]
	// 1 1 0
}

// An "Auth Key" token is checked at /rest/auth/ without opening a session;
// it can travel in the body or, from IPCortex 6.3.10, in a header.
func ExampleServer_AddAPIKey() {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{ID: 7, Login: "robot", Name: "Call Robot"})
	srv.AddAPIKey("long-api-key-goes-here", "robot")

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/rest/auth/", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "token auth=long-api-key-goes-here")
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Result string
		User   struct {
			ID      int
			Login   string
			Session string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s id=%d login=%s session=%q cookies=%d\n",
		doc.Result, doc.User.ID, doc.User.Login, doc.User.Session, len(resp.Cookies()))
	// Output:
	// success id=7 login=robot session="" cookies=0
}
