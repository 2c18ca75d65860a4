package onsiptest_test

import (
	"encoding/xml"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// A test starts a fake OnSIP API, adds an account, and points the code under
// test at srv.URL. Here the code under test is a plain form POST.
func ExampleNewServer() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "mysuperpassword"})

	resp, err := http.PostForm(srv.URL, url.Values{
		"Action":   {"SessionCreate"},
		"Username": {"john.doe@example.onsip.com"},
		"Password": {"mysuperpassword"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()

	var doc struct {
		Session struct {
			IsEstablished bool
			UserID        string `xml:"UserId"`
		} `xml:"Context>Session"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
		log.Fatal(err)
	}
	fmt.Println("established:", doc.Session.IsEstablished)
	fmt.Println("user:", doc.Session.UserID)
	fmt.Println("logins:", srv.Logins(), "open sessions:", srv.ActiveSessions())
	// Output:
	// established: true
	// user: 100001
	// logins: 1 open sessions: 1
}

// Faults test how the code under test copes with a failing API: here the
// next request gets HTTP 503 and the one after an OnSIP <Exception>.
func ExampleServer_FailNext() {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.FailNext(1, http.StatusServiceUnavailable)
	srv.ExceptionNext(1)

	for range 3 {
		resp, err := http.PostForm(srv.URL, url.Values{"Action": {"SessionCreate"}})
		if err != nil {
			log.Fatal(err)
		}
		var root struct{ XMLName xml.Name }
		err = xml.NewDecoder(resp.Body).Decode(&root)
		resp.Body.Close()
		if err != nil {
			fmt.Println(resp.StatusCode, "no document")
			continue
		}
		fmt.Println(resp.StatusCode, root.XMLName.Local)
	}
	fmt.Println("logins:", srv.Logins())
	// Output:
	// 503 no document
	// 200 Exception
	// 200 Response
	// logins: 3
}
