package ipcortex

import (
	"net/http"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// Refused reports whether resp, an answer from the PBX's API, says the
// session or key is no longer accepted: HTTP 401 or 403, or a successful
// status whose JSON body has "result":"fail", which is how IPCortex refuses
// a call it cannot authenticate. Other statuses are left to the caller:
// a 400 or 500 with "fail" is a failed call, not a lost session.
//
// To look at the body it reads its first bytes and, only when they start
// with '{', the rest, up to 1 MiB, into one buffer sized by its
// Content-Length: a body that starts otherwise (a download, say) is read
// no further and costs a few KiB, whatever its length. It then puts back
// an equivalent body (the bytes read, then the rest, closing the original
// on Close), so the caller still reads it all.
func (a *Authenticator) Refused(resp *http.Response) bool {
	switch {
	case resp == nil:
		return false
	case provider.RefusedStatus(resp.StatusCode):
		return true
	case resp.StatusCode < 200 || resp.StatusCode > 299 || resp.Body == nil || resp.Body == http.NoBody:
		return false
	}
	read, shape, whole, _ := readJSON(resp.Body, resp.ContentLength, 0)
	// A read error stays for the caller: it comes again after the bytes read.
	resp.Body = provider.PutBack(read, resp.Body, whole)
	if shape != object {
		return false
	}
	if refused, sure := refusedAnswerFast(read); sure {
		return refused
	}
	return refusedAnswer(read)
}
