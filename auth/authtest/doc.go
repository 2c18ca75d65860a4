// Package authtest holds the contracts every pbxauth provider and every
// session store must pass, and the fault kit every fake vendor server is
// built on.
//
// [Run] is the providers' contract, shaped like golang.org/x/net/nettest's
// TestConn: it takes a factory, gives every subtest a fresh authenticator
// and a fresh fake server, drives the server's faults (failures, dropped
// connections, delays, forgotten sessions, garbage, oversized and malformed
// answers, hostile echoes of the secrets, refused credentials) and checks
// what a user relies on: one login for a crowd, one live session at the
// vendor, retries that survive blips and stop when the budget is spent,
// the right sentinel for each failure, hooks that report it all, no
// secret in any error, log line, hook event or printed value, and
// auth.NewClient's single re-login, with credentials kept on the
// endpoint's origin.
//
// A provider's own test calls it (this is TestDocSample, run as it is):
//
//	func TestContract(t *testing.T) {
//		authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
//			srv := onsiptest.NewServer()
//			t.Cleanup(srv.Close)
//			srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "pw"})
//			cfg.Endpoint = srv.URL
//			cfg.Credentials = auth.Credentials{Username: "john.doe@example.onsip.com", Password: "pw"}
//			a, err := onsip.New(cfg)
//			if err != nil {
//				t.Fatal(err)
//			}
//			return authtest.Fixture{
//				Authenticator: a,
//				Server:        srv,
//				Secrets:       []auth.Secret{"pw"},
//				Config:        cfg,
//				NewAPIRequest: func(ctx context.Context) (*http.Request, error) {
//					req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL,
//						strings.NewReader("Action=UserRead"))
//					if err == nil {
//						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
//					}
//					return req, err
//				},
//			}
//		})
//	}
//
// [RunStore] is the contract of an auth.SessionStore: exclusive leases with
// growing fencing tokens, takeover after the TTL, publishing only under a
// lease not superseded, compare-and-delete, expiry.
//
// [Faults] is the fault kit a fake server embeds, so that every fake speaks
// the suite's one vocabulary of faults.
package authtest
