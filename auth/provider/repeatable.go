package provider

import (
	"net/http"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// Repeatable reports whether req is safe to send twice, the rule by which
// the retrying transport sends again a request that may have reached the
// vendor: its method is idempotent (GET, HEAD, OPTIONS, TRACE, PUT,
// DELETE), or it carries an Idempotency-Key or X-Idempotency-Key header,
// net/http's own mark (an entry with no value counts, and is not sent).
func Repeatable(req *http.Request) bool { return transport.Repeatable(req) }

// MarkRepeatable marks req, auth.NewClient's shallow copy of the caller's
// request, as safe to repeat, for an Authorize that knows a call to be
// read-only when its method does not say so (OnSIP sends its reads as
// POSTs): it adds an Idempotency-Key entry with no value, which
// [Repeatable] and net/http read as the mark and which is not sent, to a
// header of req's own ([OwnHeader]), so the caller's header stays as it
// was. A request Repeatable already takes is left as it is, at no cost.
func MarkRepeatable(req *http.Request) {
	if transport.Repeatable(req) {
		return
	}
	OwnHeader(req, 1)
	transport.MarkRepeatable(req)
}
