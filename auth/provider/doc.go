// Package provider is what a provider author builds on, as
// database/sql/driver is to database/sql: applications use package auth,
// and never need this one.
//
// A provider is one vendor's protocol. Everything else — holding the
// session, sharing one login between concurrent callers and across a
// fleet, expiry, renewing or logging out a replaced session, retries that
// never repeat a side effect, the retry budget, size limits, redirects,
// error classes, redaction, hooks — is done here, once, for every provider.
// A provider writes:
//
//  1. a [Backend]: OpenSession (sign in, or renew the held session in
//     place) and CloseSession (sign out), sending its requests with the
//     [Caller] it is given and judging the answers;
//  2. an authenticator type that embeds the [*Cache] made by [NewCache]
//     over that backend, and adds Authorize (how a session rides on a
//     request to the vendor's API) and, when the vendor refuses sessions
//     with more than 401/403, Refused;
//  3. a constructor that checks auth.Config with [Endpoint] and
//     [CheckOptions], registered with auth.Register;
//  4. a fake server for tests, built on auth/authtest's fault kit, and a
//     test that runs authtest.Run against it.
//
// The errors a backend returns are *auth.Error values holding one
// sentinel; [StatusError] classifies HTTP statuses and [Clean] makes a
// vendor's text fit for an error (white space folded, every encoding of
// every secret removed, length bounded). The cache passes every error
// through the same redaction once more, so a careless message cannot leak
// the account's password, key or session.
//
// Authorize and Refused run on every API call, so they have helpers that
// keep them cheap: [OwnHeader] gives NewClient's shallow copy a header of
// its own, and [MarkRepeatable] marks a call the provider knows is safe to
// repeat; a Refused reads the start of an answer with [ReadStart], which
// sizes its buffer only for a body that may be an answer, and gives it
// back with [PutBack]; a fast check that looks for a refusal's words without decoding can ask
// [JSONEscapesASCII] whether they may also stand escaped; [SharedMap] and
// [SharedStrings] let sessions of many tenants share equal permissions.
//
// See docs/writing-a-provider.md in the repository for a complete provider
// written in a package of its own.
package provider
