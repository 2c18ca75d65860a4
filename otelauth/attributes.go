package otelauth

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// The package's own attribute keys, in the pbxauth namespace. None can
// hold a username, a session ID or a secret: the hooks' infos carry none,
// and the failures' texts, which could quote a username a vendor echoed,
// are never recorded.
const (
	keyProvider     = attribute.Key("pbxauth.provider")         // "onsip", "ipcortex"
	keyAccount      = attribute.Key("pbxauth.account")          // the account key, a hash
	keyOutcome      = attribute.Key("pbxauth.outcome")          // outcomeSuccess, ...
	keyLoginReason  = attribute.Key("pbxauth.login.reason")     // auth.LoginReason
	keyRenewed      = attribute.Key("pbxauth.login.renewed")    // renewed in place
	keyLogoutReason = attribute.Key("pbxauth.logout.reason")    // auth.LogoutReason
	keySessionLost  = attribute.Key("pbxauth.session.lost")     // a refusal taken as the session gone
	keyOperation    = attribute.Key("pbxauth.operation")        // "login", "logout", "request"
	keyAttempt      = attribute.Key("pbxauth.retry.attempt")    // the try about to be made; spans only
	keyRetryWait    = attribute.Key("pbxauth.retry.wait")       // seconds; spans only
	keyRepeatable   = attribute.Key("pbxauth.retry.repeatable") // safe to repeat
	keyLeaseOutcome = attribute.Key("pbxauth.store.lease.outcome")
	keyLeaseWaited  = attribute.Key("pbxauth.store.lease.waited") // seconds; spans only
	keyStoreOp      = attribute.Key("pbxauth.store.operation")
)

// setKind says which event a set of attributes belongs to.
type setKind uint8

const (
	setLogin setKind = iota
	setActiveLogin
	setLogout
	setRefusal
	setRetry
	setBudget
	setShared
	setLeaseWait
	setTakeover
	setFallback
)

// setKey names one attribute set by the event's own values, as the infos
// give them; what each field means depends on kind (see
// metricAttributes). It is what a set is built from, and the key of the
// general cache for values outside the vocabulary (see sets.go).
type setKey struct {
	kind     setKind
	provider string
	account  string // "" unless WithAccountOnMetrics
	a, b, c  string
	code     int
	flag     bool
}

// measurement is an attribute set made ready for the instruments, so that
// recording passes a slice kept here rather than building one per call.
type measurement struct {
	add    []metric.AddOption
	record []metric.RecordOption
}

func newMeasurement(kvs []attribute.KeyValue) *measurement {
	o := metric.WithAttributeSet(attribute.NewSet(kvs...))
	return &measurement{add: []metric.AddOption{o}, record: []metric.RecordOption{o}}
}

// metricAttributes returns the attributes of the set k names. The
// caller's WithAttributes come first so that the package's own keys win
// (attribute.NewSet keeps the last of equal keys).
func (r *recorder) metricAttributes(k setKey) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, len(r.extra)+8)
	kvs = append(kvs, r.extra...)
	kvs = append(kvs, keyProvider.String(k.provider))
	if r.accountOnMetrics {
		kvs = append(kvs, keyAccount.String(k.account))
	}
	switch k.kind {
	case setLogin: // a: reason, b: outcome, flag: renewed
		kvs = append(kvs, keyLoginReason.String(k.a), keyRenewed.Bool(k.flag))
		kvs = appendOutcome(kvs, k.b)
	case setActiveLogin: // a: reason
		kvs = append(kvs, keyLoginReason.String(k.a))
	case setLogout: // a: reason, b: outcome
		kvs = append(kvs, keyLogoutReason.String(k.a))
		kvs = appendOutcome(kvs, k.b)
	case setRefusal: // flag: lost
		kvs = append(kvs, keySessionLost.Bool(k.flag))
	case setRetry: // a: op, b: method, c: error kind, code: status, flag: repeatable
		kvs = append(kvs, keyOperation.String(k.a), semconv.HTTPRequestMethodKey.String(k.b),
			keyRepeatable.Bool(k.flag))
		kvs = appendStatusCode(kvs, k.code)
		kvs = append(kvs, semconv.ErrorTypeKey.String(retryErrorType(k.code, k.c)))
	case setBudget: // a: op
		kvs = append(kvs, keyOperation.String(k.a))
	case setLeaseWait: // a: how the wait ended
		kvs = append(kvs, keyLeaseOutcome.String(token(k.a)))
	case setFallback: // a: store op, b: error.type
		kvs = append(kvs, keyStoreOp.String(token(k.a)), semconv.ErrorTypeKey.String(k.b))
	case setShared, setTakeover: // the provider (and account) only
	}
	return kvs
}

// appendOutcome adds pbxauth.outcome, and error.type on a failure.
func appendOutcome(kvs []attribute.KeyValue, outcome string) []attribute.KeyValue {
	kvs = append(kvs, keyOutcome.String(outcome))
	if outcome != outcomeSuccess.String() {
		kvs = append(kvs, semconv.ErrorTypeKey.String(outcome))
	}
	return kvs
}

// appendStatusCode adds http.response.status_code when there was an answer.
func appendStatusCode(kvs []attribute.KeyValue, code int) []attribute.KeyValue {
	if code != 0 {
		kvs = append(kvs, semconv.HTTPResponseStatusCodeKey.Int(code))
	}
	return kvs
}

// retryErrorType is the error.type of the failed try a retry follows: its
// status code as text, as the HTTP conventions do, else the kind of
// failure the transport named ("timeout", "connection_refused").
func retryErrorType(code int, kind string) string {
	switch {
	case code != 0:
		return strconv.Itoa(code)
	case kind != "":
		return token(kind)
	}
	return errorTypeOther
}

// methodOther is the HTTP conventions' http.request.method for a method
// HTTP does not define.
const methodOther = "_OTHER"

// method returns m if it is one of the methods HTTP defines, else
// methodOther, so that a made-up method cannot add time series.
func method(m string) string { return methods[methodIndex(m)] }

// methodIndex returns where method(m) stands in the methods table (see
// sets.go), which ends with methodOther.
func methodIndex(m string) int {
	if i := indexOf(methods[:], m); i >= 0 {
		return i
	}
	return len(methods) - 1
}

// token makes s a stable lowercase identifier: "store error" becomes
// "store_error". For metrics it runs only when an attribute set is first
// built; a value that is already a token comes back without allocating.
func token(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return '_'
	}, s)
}
