// Package auth is the provider-neutral way to sign in to a PBX vendor's web API.
//
// An [Authenticator] logs in, hands out the session it holds and logs out. One
// backend per vendor implements it; import the providers package (or a single
// provider) for its side effect of registering them, then call [Open]:
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
//	s, err := a.Session(ctx)
//	defer a.Logout(ctx)
//
// Every provider shares the same behaviour, implemented once here and in the
// retrying transport:
//
//   - [Authenticator.Session] is the hot path. A held, unexpired session is
//     returned without a lock and without allocating; with none held,
//     concurrent callers share one login.
//   - Requests that fail transiently (no answer, 429, 502, 503, 504) are
//     retried with exponential backoff and full jitter, obeying Retry-After,
//     under a per-authenticator retry budget that stops retry storms.
//   - Every failure is an [*Error] whose chain holds exactly one of
//     [ErrInvalidCredentials], [ErrSessionExpired], [ErrUnavailable],
//     [ErrProtocol], or the caller's context error.
//   - Passwords, API keys and session IDs are [Secret] values: they never
//     appear in errors, logs or fmt output.
//
// [NewClient] returns an *http.Client whose requests carry the session the
// vendor's way and that logs in again, once, when the vendor refuses it.
//
// Provider authors build on [SessionCache], [Caller] and the optional
// interfaces [Authorizer] and [RefusalDetector]; see docs/writing-a-provider.md.
package auth
