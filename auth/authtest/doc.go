// Package authtest is the contract every pbxauth provider must pass, shaped
// like golang.org/x/net/nettest's TestConn: [Run] takes a factory and gives
// every subtest a fresh authenticator and a fresh fake server, drives the
// server's faults (failures, delays, forgotten sessions, garbage, oversized
// answers, refused credentials) and checks what a user relies on: one login
// for a crowd, retries that survive blips and stop when the budget is spent,
// the right sentinel for each failure, and no secret in any error, log line
// or printed value.
//
// A provider's own test calls it:
//
//	func TestContract(t *testing.T) {
//		authtest.Run(t, func(t *testing.T, cfg auth.Config) authtest.Fixture {
//			srv := onsiptest.NewServer()
//			t.Cleanup(srv.Close)
//			srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "pw"})
//			cfg.Endpoint = srv.URL
//			cfg.Credentials = auth.Credentials{Username: "john.doe@example.onsip.com", Password: "pw"}
//			a, err := onsip.New(cfg)
//			require.NoError(t, err)
//			return authtest.Fixture{Authenticator: a, Server: srv, Secrets: []auth.Secret{"pw"}}
//		})
//	}
package authtest
