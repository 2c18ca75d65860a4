// Package auth is the provider-neutral way to sign in to a PBX vendor's web
// API: the application's manual. (Provider authors build on package
// auth/provider.)
//
// An [Authenticator] logs in, hands out the session it holds and logs out.
// Import the providers package (or a single provider) for its side effect
// of registering them, then call [Open]:
//
//	import (
//		"github.com/pbxauth/pbxauth/auth"
//		_ "github.com/pbxauth/pbxauth/providers"
//	)
//
//	a, err := auth.Open("onsip", auth.Config{Credentials: auth.Credentials{
//		Username: "john.doe@example.onsip.com",
//		Password: auth.Secret(os.Getenv("ONSIP_PASSWORD")),
//	}})
//	if err != nil {
//		return err
//	}
//	s, err := a.Session(ctx)
//	if err != nil {
//		return err
//	}
//	defer a.Logout(ctx)
//
// [Config.Endpoint] means what the provider says: OnSIP's is the API's URL
// (empty means https://api.onsip.com/api), IPCortex's the PBX's base URL.
// Provider settings travel in [Config.Options] ("key_in_header" for
// IPCortex), so a program that reads its tenants' settings from a file
// needs no provider-specific code.
//
// [NewClient] returns an *http.Client for the rest of the vendor's API:
// each request carries the session the vendor's way, goes only to the
// endpoint's origin, and logs in again, once for every request refused at
// the same time, when the vendor refuses the session.
//
// Every provider shares the same behaviour:
//
//   - [Authenticator.Session] is the hot path: a held session is returned
//     without a lock and without allocating. With none held, concurrent
//     callers share one login; Login, Logout and Session all end within the
//     login deadline even with a context that has none.
//   - An account never keeps two sessions open at the vendor: a replaced
//     session is renewed in place where the vendor can (IPCortex), and
//     logged out otherwise.
//   - Retries never repeat a side effect. Tries that provably sent nothing,
//     and answers 429 and 503, are retried for any request; a connection
//     lost after the request went out, 502 and 504 only for requests safe
//     to repeat (GET, PUT, DELETE, …, an Idempotency-Key header, the
//     providers' own logins and read-only calls). Waits are exponential
//     with full jitter and obey Retry-After; one retry budget per vendor
//     origin, shared by every authenticator and client of the process,
//     stops retry storms.
//   - Every failure is an [*Error] whose chain holds exactly one of
//     [ErrInvalidCredentials], [ErrSessionExpired], [ErrUnavailable],
//     [ErrProtocol], or the caller's context error ([ErrPoolClosed] for a
//     closed [Pool]). An error of the application's own code, a Pool's
//     open function, is passed on as it is.
//   - Passwords, API keys and session IDs are [Secret] values, and never
//     appear in errors, logs or fmt output, in any encoding a server might
//     echo them.
//
// A multi-tenant application keeps one [Pool]: Get returns a tenant's
// Authenticator, opening it once however many goroutines ask, and drops the
// least recently used or idle ones ([PoolOptions]), logging out their
// sessions unless Config.Store shares them with other replicas. Forget is
// for a tenant whose credentials changed; Close logs out what this process
// alone holds. For several replicas, [Config.Store] shares each account's
// session across the fleet (one login, one live session: see
// store/redisstore and [MemoryStore]). [Config.Hooks] reports logins,
// refusals, retries and store events (otelauth turns them into
// OpenTelemetry metrics and spans).
package auth
