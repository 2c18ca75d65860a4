package auth_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// A multi-tenant service keeps one Pool for the process. Its open function
// looks the tenant up in the service's own database (a map here) and
// signs in, so that a pooled tenant is ready to use.
func ExampleNewPool() {
	srv := onsiptest.NewServer() // a fake of https://api.onsip.com/api
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "ops@acme.onsip.com", Password: "s3cr3t"})
	accounts := map[string]auth.Credentials{ // tenant -> account, from the service's database
		"acme": {Username: "ops@acme.onsip.com", Password: "s3cr3t"},
	}

	pool := auth.NewPool(func(ctx context.Context, tenant string) (auth.Authenticator, error) {
		creds, ok := accounts[tenant]
		if !ok {
			return nil, fmt.Errorf("no PBX account for tenant %q", tenant)
		}
		a, err := auth.Open("onsip", auth.Config{Endpoint: srv.URL, Credentials: creds})
		if err != nil {
			return nil, err
		}
		if _, err := a.Session(ctx); err != nil {
			return nil, err
		}
		return a, nil
	}, auth.PoolOptions{MaxTenants: 10_000, IdleTimeout: 30 * time.Minute})
	ctx := context.Background()
	defer pool.Close(ctx) // logs out every tenant this process alone holds

	a, err := pool.Get(ctx, "acme") // once per request: cheap while the tenant is held
	if err != nil {
		log.Fatal(err)
	}
	s, err := a.Session(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Username)

	// The tenant changed its password: end its session, open it anew.
	if err := pool.Forget(ctx, "acme"); err != nil {
		log.Print(err)
	}
	fmt.Println("sessions open at the vendor:", srv.ActiveSessions())
	// Output:
	// ops@acme.onsip.com
	// sessions open at the vendor: 0
}
