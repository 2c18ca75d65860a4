package onsip_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// The password of the vendor's sample SessionCreate, and the SessionId of
// its sample SessionDestroy.
const (
	samplePassword  = "mysuperpassword"
	sampleSessionID = "25h4rmjvmubl7r7e1q73msbln2"
)

// sentinels are the errors exactly one of which every failure holds.
var sentinels = []error{
	auth.ErrInvalidCredentials, auth.ErrSessionExpired, auth.ErrUnavailable, auth.ErrProtocol,
	context.Canceled, context.DeadlineExceeded,
}

// requireSentinel fails t unless err is an *auth.Error of the onsip
// provider holding want and no other sentinel, and returns it.
func requireSentinel(t *testing.T, err, want error) *auth.Error {
	t.Helper()
	var e *auth.Error
	require.ErrorAs(t, err, &e)
	for _, s := range sentinels {
		require.Equal(t, s == want, errors.Is(err, s), "holds %v: %v", s, err)
	}
	assert.Equal(t, onsip.Name, e.Provider)
	assert.NotEmpty(t, e.Op)
	return e
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// response wraps context, the inside of a Context element, in a Response
// in the vendor's namespace.
func response(context string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<Response xmlns="` + onsiptest.Namespace + `"><Context>` + context + `</Context><Result><SessionCreate/></Result></Response>`
}

// The two sample answers of the vendor's page, byte for byte.
func TestGoldenSessionCreate(t *testing.T) {
	s, err := onsip.DecodeLogin(readSample(t, "session-create.xml"), "john.doe@example.com", samplePassword)
	require.NoError(t, err)
	assert.True(t, s.ID == "h68kucpnejdv2jm3bq2cmhikp5", "ID is the sample's SessionId")
	assert.Equal(t, "152255", s.UserID)
	assert.Equal(t, "john.doe@example.com", s.Username)
	assert.Equal(t, []string{"Account Admin"}, s.Roles)
	assert.Nil(t, s.Permissions)
	assert.Equal(t, onsip.Name, s.Provider)
	assert.Empty(t, s.Name)
	assert.Nil(t, s.Attributes)
	assert.True(t, s.IssuedAt.IsZero() && s.ExpiresAt.IsZero(), "times are the cache's to set")
}

func TestGoldenSessionDestroy(t *testing.T) {
	assert.NoError(t, onsip.DecodeLogout(readSample(t, "session-destroy.xml"), sampleSessionID))
}

func TestDecodeLoginAccepts(t *testing.T) {
	session := `<Session><IsEstablished>true</IsEstablished><SessionId>abc</SessionId><UserId>7</UserId>` +
		`<Roles><Role><Name>Account Admin</Name></Role></Roles></Session>`
	for _, tc := range []struct {
		name, body string
		roles      []string
	}{
		{"no namespace", `<Response><Context>` + session + `</Context></Response>`, []string{"Account Admin"}},
		{"prefixed namespace", `<r:Response xmlns:r="` + onsiptest.Namespace + `"><r:Context><r:Session>` +
			`<r:IsEstablished>true</r:IsEstablished><r:SessionId>abc</r:SessionId><r:UserId>7</r:UserId>` +
			`</r:Session></r:Context></r:Response>`, nil},
		{"another namespace", `<Response xmlns="urn:other"><Context>` + session + `</Context></Response>`, []string{"Account Admin"}},
		{"no declaration", strings.TrimPrefix(response(session), `<?xml version="1.0" encoding="UTF-8"?>`+"\n"), []string{"Account Admin"}},
		{"byte order mark", "\xef\xbb\xbf" + response(session), []string{"Account Admin"}},
		{"CRLF and white space", strings.ReplaceAll(`<?xml version="1.0"?>
<Response>
  <Context>
    <Session>
      <IsEstablished>
        TRUE
      </IsEstablished>
      <SessionId>  abc  </SessionId>
      <UserId> 7 </UserId>
    </Session>
  </Context>
</Response>

`, "\n", "\r\n"), nil},
		{"comments and a DOCTYPE", `<!DOCTYPE Response><!-- before -->` + response(session) + "<!-- after -->\n", []string{"Account Admin"}},
		{"roles sorted, empty ones dropped", response(`<Session><IsEstablished>true</IsEstablished><SessionId>abc</SessionId>` +
			`<UserId>7</UserId><Roles><Role><Name>Zeta</Name></Role><Role><Name> </Name></Role>` +
			`<Role><Name>Alpha</Name></Role><Role><Name> Mid </Name></Role></Roles></Session>`), []string{"Alpha", "Mid", "Zeta"}},
		{"IsValid and IsCompleted not said", response(session), []string{"Account Admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := onsip.DecodeLogin([]byte(tc.body), user, password)
			require.NoError(t, err)
			assert.True(t, s.ID == "abc", "ID")
			assert.Equal(t, "7", s.UserID)
			assert.Equal(t, tc.roles, s.Roles)
			assert.Equal(t, user, s.Username)
		})
	}
}

// refusalShape is one answer to a SessionCreate that did not sign in, and
// what it must become.
type refusalShape struct {
	name          string
	body          string
	want          error
	code, message string
}

// exception is an <Exception> document with text as its content.
func exception(text string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n<Exception xmlns=\"" + onsiptest.Namespace + `">` + text + "</Exception>\n"
}

const (
	notEstablished = `<Session><IsEstablished>false</IsEstablished></Session>`
	wrongPassword  = `<Action><IsCompleted>false</IsCompleted><Errors><Error><Parameter>Password</Parameter>` +
		`<Code>Authentication</Code><Message>Authentication failed.</Message></Error></Errors></Action>` +
		`<Request><IsValid>true</IsValid></Request>` + notEstablished
)

var refusalShapes = []refusalShape{
	{"wrong password, as onsiptest says it", response(wrongPassword),
		auth.ErrInvalidCredentials, "Authentication", "Authentication failed."},
	{"request invalid", response(`<Action><IsCompleted>false</IsCompleted></Action><Request><IsValid>false</IsValid>` +
		`<Errors><Error><Parameter>Password</Parameter><Code>Required</Code><Message>Password is required.</Message></Error></Errors>` +
		`</Request>` + notEstablished), auth.ErrInvalidCredentials, "Required", "Password is required."},
	{"many errors: the first counts", response(`<Request><IsValid>false</IsValid><Errors>` +
		`<Error><Parameter>Username</Parameter><Code>Required</Code><Message>Username is required.</Message></Error>` +
		`<Error><Parameter>Password</Parameter><Code>Required</Code><Message>Password is required.</Message></Error>` +
		`</Errors></Request>` + notEstablished), auth.ErrInvalidCredentials, "Required", "Username is required."},
	{"both lists: the Request's first", response(`<Action><Errors><Error><Code>Late</Code><Message>action</Message></Error></Errors></Action>` +
		`<Request><Errors><Error><Code>Early</Code><Message>request</Message></Error></Errors></Request>` + notEstablished),
		auth.ErrInvalidCredentials, "Early", "request"},
	{"Action errors only", response(`<Action><Errors><Error><Parameter>Username</Parameter><Code>Locked</Code>` +
		`<Message>Account locked.</Message></Error></Errors></Action>` + notEstablished),
		auth.ErrInvalidCredentials, "Locked", "Account locked."},
	{"no Code: the Parameter", response(`<Action><Errors><Error><Parameter>Password</Parameter><Message>Bad.</Message>` +
		`</Error></Errors></Action>` + notEstablished), auth.ErrInvalidCredentials, "Password", "Bad."},
	{"no errors at all", response(notEstablished), auth.ErrInvalidCredentials, "", "OnSIP established no session"},
	{"IsEstablished FALSE in white space", response("<Session><IsEstablished>\r\n  FALSE \r\n</IsEstablished></Session>"),
		auth.ErrInvalidCredentials, "", "OnSIP established no session"},
	{"IsEstablished neither true nor false", response(`<Session><IsEstablished>yes</IsEstablished><SessionId>abc</SessionId></Session>`),
		auth.ErrInvalidCredentials, "", "OnSIP established no session"},
	{"no Session, but errors", response(`<Action><Errors><Error><Code>Authentication</Code><Message>No.</Message></Error></Errors></Action>`),
		auth.ErrInvalidCredentials, "Authentication", "No."},
	{"no Session, IsValid false", response(`<Request><IsValid>false</IsValid></Request>`),
		auth.ErrInvalidCredentials, "", "OnSIP established no session"},
	{"message white space collapsed", response(`<Action><Errors><Error><Code> Authentication </Code>` +
		"<Message>\n  Authentication\r\n\tfailed.  </Message></Error></Errors></Action>" + notEstablished),
		auth.ErrInvalidCredentials, "Authentication", "Authentication failed."},

	{"established without SessionId", response(`<Session><IsEstablished>true</IsEstablished><SessionId> </SessionId></Session>`),
		auth.ErrProtocol, "", "answer establishes a session but has no SessionId"},
	{"Response that says nothing", `<Response xmlns="` + onsiptest.Namespace + `"/>`,
		auth.ErrProtocol, "", "answer says nothing of a session"},
	{"Context that says nothing", response(`<Request><IsValid>true</IsValid></Request>`),
		auth.ErrProtocol, "", "answer says nothing of a session"},
	{"wrong root", `<html><body>Bad Gateway</body></html>`, auth.ErrProtocol, "", "answer's root element is <html>, not <Response>"},
	{"not XML", "upstream connect error or disconnect/reset before headers\n", auth.ErrProtocol, "", "answer is not an XML document"},
	{"JSON", `{"result":"success"}`, auth.ErrProtocol, "", "answer is not an XML document"},
	{"empty", "", auth.ErrProtocol, "", "answer is not an XML document"},
	{"text before the root", "oops" + response(wrongPassword), auth.ErrProtocol, "", "answer is not an XML document"},
	{"cut short", response(wrongPassword)[:200], auth.ErrProtocol, "", "answer is not an XML document"},
	{"mismatched tags", `<Response><Context></Response></Context>`, auth.ErrProtocol, "", "answer is not an XML document"},
	{"text after the root", response(wrongPassword) + "garbage", auth.ErrProtocol, "", "answer has data after its XML document"},
	{"a second root", response(wrongPassword) + response(wrongPassword), auth.ErrProtocol, "", "answer has data after its XML document"},
	{"foreign encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><Response/>`, auth.ErrProtocol, "", "answer is not an XML document"},

	{"Exception in CDATA", exception("\n<![CDATA[\n" + onsiptest.ExceptionText + "\n]]>\n"),
		auth.ErrUnavailable, "", onsiptest.ExceptionText},
	{"Exception as text", exception("  Database\r\n unavailable  "), auth.ErrUnavailable, "", "Database unavailable"},
	{"Exception without namespace", "<Exception>Oops</Exception>", auth.ErrUnavailable, "", "Oops"},
	{"Exception empty", exception(""), auth.ErrUnavailable, "", "OnSIP reported an exception with no text"},
	{"Exception huge", exception(strings.Repeat("é", 1000)), auth.ErrUnavailable, "", strings.Repeat("é", 128) + "…"},
}

func TestDecodeLoginRefusals(t *testing.T) {
	for _, tc := range refusalShapes {
		t.Run(tc.name, func(t *testing.T) {
			s, err := onsip.DecodeLogin([]byte(tc.body), user, password)
			assert.Nil(t, s)
			e := requireSentinel(t, err, tc.want)
			assert.Equal(t, auth.OpLogin, e.Op)
			assert.Equal(t, 200, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.message, e.Message)
		})
	}
}

// A server that echoes the clear password, in the parameters and in its
// messages, does not get it into the error.
func TestDecodeLoginNeverQuotesThePassword(t *testing.T) {
	const pw = "hunter2 is my password"
	echo := `<Request><IsValid>true</IsValid><Parameters>` +
		`<Parameter><Name>Password</Name><Value>` + pw + `</Value></Parameter></Parameters></Request>`
	for name, body := range map[string]string{
		"error message": response(echo + `<Action><Errors><Error><Parameter>Password</Parameter><Code>Bad ` + pw + `</Code>` +
			`<Message>Password "` + pw + `" is wrong.</Message></Error></Errors></Action>` + notEstablished),
		"message across lines": response(echo + `<Action><Errors><Error><Message>Password hunter2 is` + "\r\n  " + `my password is wrong.` +
			`</Message></Error></Errors></Action>` + notEstablished),
		"escaped": response(echo + `<Action><Errors><Error><Message>&#104;unter2 is my pass<![CDATA[word]]> is wrong.` +
			`</Message></Error></Errors></Action>` + notEstablished),
		"exception": exception("Login of " + pw + " failed"),
		"raw request quoted": exception("Bad request: Action=SessionCreate&Username=u&Password=" +
			url.QueryEscape(pw)),
		"root name":   `<hunter2/>`,
		"established": response(echo + `<Session><IsEstablished>true</IsEstablished></Session>`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := onsip.DecodeLogin([]byte(body), user, auth.Secret(pw))
			require.Error(t, err)
			noSecret(t, "the error", err.Error(), pw)
			noSecret(t, "the error", err.Error(), auth.Secret(url.QueryEscape(pw)))
			if name != "root name" {
				noSecret(t, "the error", err.Error(), "hunter2")
			}
		})
	}
}

func TestDecodeLogout(t *testing.T) {
	const id = "h68kucpnejdv2jm3bq2cmhikp5"
	unknown := `<Request><IsValid>false</IsValid><Errors><Error><Parameter>SessionId</Parameter>` +
		`<Code>Invalid</Code><Message>Session is not valid.</Message></Error></Errors></Request>`
	for _, tc := range []struct {
		name, body    string
		want          error // nil: the session is gone
		code, message string
	}{
		{"destroyed", response(`<Action><IsCompleted>true</IsCompleted></Action>` + notEstablished), nil, "", ""},
		{"unknown, as onsiptest says it", response(unknown + notEstablished), nil, "", ""},
		{"unknown, no Session element", response(unknown), nil, "", ""},
		{"unknown, in Action, any case", response(`<Action><Errors><Error><Parameter> sessionid </Parameter></Error></Errors></Action>`), nil, "", ""},
		{"not established, other errors", response(`<Request><Errors><Error><Parameter>Action</Parameter></Error></Errors></Request>` + notEstablished), nil, "", ""},
		{"still established", response(`<Session><IsEstablished>true</IsEstablished></Session>`),
			auth.ErrProtocol, "", "session still established after SessionDestroy"},
		{"still established, with an error", response(`<Action><Errors><Error><Code>Busy</Code><Message>Try later.</Message>` +
			`</Error></Errors></Action><Session><IsEstablished>true</IsEstablished></Session>`), auth.ErrProtocol, "Busy", "Try later."},
		{"says nothing", response(``), auth.ErrProtocol, "", "answer says nothing of the session"},
		{"another error, nothing else", response(`<Request><Errors><Error><Parameter>Action</Parameter><Code>Invalid</Code>` +
			`<Message>Action is not valid.</Message></Error></Errors></Request>`), auth.ErrProtocol, "Invalid", "Action is not valid."},
		{"exception quoting the session", exception("no session " + id), auth.ErrUnavailable, "", "no session [REDACTED]"},
		{"garbage", "<<<", auth.ErrProtocol, "", "answer is not an XML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := onsip.DecodeLogout([]byte(tc.body), id)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			e := requireSentinel(t, err, tc.want)
			assert.Equal(t, auth.OpLogout, e.Op)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.message, e.Message)
			noSecret(t, "the error", err.Error(), id)
		})
	}
}

// FuzzDecodeResponse checks that no answer, however broken, panics the
// decoder or gets past it as anything but a session or an *auth.Error
// holding exactly one sentinel, and that the password never comes out.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(readSample(f, "session-create.xml"))
	f.Add(readSample(f, "session-destroy.xml"))
	for _, tc := range refusalShapes {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(response(`<Action><Errors><Error><Message>` + samplePassword + `</Message></Error></Errors></Action>`)))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := onsip.DecodeLogin(body, user, samplePassword)
		switch {
		case err == nil:
			if s == nil || s.ID == "" || s.Provider != onsip.Name || s.Username != user || !slices.IsSorted(s.Roles) {
				t.Fatal("a login without error gave no usable session")
			}
		case s != nil:
			t.Fatal("a login gave both a session and an error")
		default:
			checkFuzzError(t, err, auth.OpLogin, samplePassword)
		}
		if err := onsip.DecodeLogout(body, sampleSessionID); err != nil {
			checkFuzzError(t, err, auth.OpLogout, sampleSessionID)
		}
	})
}

// checkFuzzError fails t unless err is a well-formed error of op that does
// not hold secret.
func checkFuzzError(t *testing.T, err error, op, secret string) {
	t.Helper()
	var e *auth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error is a %T, not an *auth.Error", err)
	}
	held := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			held++
		}
	}
	if held != 1 || e.Provider != onsip.Name || e.Op != op {
		t.Fatalf("error holds %d sentinels, provider %q, op %q", held, e.Provider, e.Op)
	}
	if len(e.Message) > 300 || len(e.Code) > 300 || !utf8.ValidString(e.Message) {
		t.Fatalf("error text is %d+%d bytes or not UTF-8", len(e.Message), len(e.Code))
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatal("error holds the secret")
	}
}
