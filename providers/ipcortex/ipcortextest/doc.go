// Package ipcortextest provides an in-process fake of the IPCortex REST
// authentication API, for testing code that signs in to an IPCortex PBX.
//
// It works like net/http/httptest: NewServer starts a server on a loopback
// address, its URL field is the PBX base URL, and Close stops it. The server
// speaks the protocol of the vendor's "Authentication" page:
//
//   - POST /rest/auth/ with {"auth":{"type":"auth","username":..,"password":..}}
//     logs in and answers {"result":"success","user":{...}} with a session in
//     both the Red60urne cookie and user.session, or {"result":"fail"}. A
//     login that carries a known Red60urne cookie re-uses that session.
//   - POST /rest/auth/ with {"auth":{"type":"auth","key":..}}, or with the
//     header "Authorization: token auth=KEY", checks an API key ("Auth Key"
//     token) and answers with the owner's user object and no session.
//   - POST /rest/auth/logout with {"auth":{"type":"auth"}} and the session
//     cookie ends the session.
//   - Every other path under /rest/ stands for the rest of the vendor's API:
//     it answers {"result":"success","data":{"path":..,"user":..}} when the
//     request carries a known session cookie or a valid API key, and
//     {"result":"fail","message":"authentication required"} otherwise. Like the
//     vendor, it refuses with HTTP status 200.
//
// A request to /rest/auth/ or /rest/auth/logout that is not a POST answers
// HTTP 405; one whose body is not JSON or has no "auth" object answers HTTP
// 400 with {"result":"fail","message":..}. Any other path answers 404.
//
// The server counts the requests it receives, faulted ones included, and can
// inject faults. It embeds authtest.Faults, the kit every fake vendor
// server shares, so it speaks the same vocabulary as the others:
// FailNext, FailNextRetryAfter, DropNext (read the request, then drop the
// connection), MalformedNext (a broken status line quoting the request),
// SetDelay, ClearFaults and Requests; and adds the PBX's own: GarbageNext
// and OversizeNext (bodies that are not JSON or are too large), EchoNext (a
// refusal quoting the secret sent, in any encoding), ForgetSessions,
// RejectCredentials and DenyCalls (every API call refused for want of
// permission). A request first waits out SetDelay, then gets the next
// injected answer, if any, in the order they were asked for, each to as many
// requests as asked. A request that gets one is still counted; one
// abandoned during the delay uses up none. The server thereby satisfies the
// contract suite's authtest.Server handle.
//
// Users, passwords, API keys and sessions are held in memory only; the server
// never logs them.
package ipcortextest
