package onsip

import (
	"bytes"
	"mime"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The vendor's namespace, as its sample documents declare it.
const testNamespace = "http://www.jnctn.net/ns/rest/2006-01"

// xmlAnswer is an XML Response in the vendor's namespace whose Context
// holds context.
func xmlAnswer(context string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Response xmlns="` + testNamespace + `"><Context>` +
		context + `</Context><Result><UserRead/></Result></Response>`
}

// xmlErrors is a Context list (Request or Action) holding errors on the
// given parameters.
func xmlErrors(list string, params ...string) string {
	var b strings.Builder
	b.WriteString("<" + list + "><Errors>")
	for _, p := range params {
		b.WriteString("<Error><Parameter>" + p + "</Parameter><Code>Invalid</Code><Message>Not valid.</Message></Error>")
	}
	b.WriteString("</Errors></" + list + ">")
	return b.String()
}

// jsonAnswer is a JSON Response whose Context holds context, a JSON
// object's members.
func jsonDoc(context string) string {
	return `{"Response":{"Context":{` + context + `},"Result":{"UserRead":{}}}}`
}

// jsonErrorList is a Context list (Request or Action) holding errors on the
// given parameters: one error as an object, more as an array.
func jsonErrorList(list string, params ...string) string {
	errs := make([]string, len(params))
	for i, p := range params {
		errs[i] = `{"Parameter":"` + p + `","Code":"Invalid","Message":"Not valid."}`
	}
	value := strings.Join(errs, ",")
	if len(params) != 1 {
		value = "[" + value + "]"
	}
	return `"` + list + `":{"IsValid":"false","Errors":{"Error":` + value + `}}`
}

// refusalCases are answers and whether they refuse the session; common
// says the fast check must decide the answer on its own.
var refusalCases = []struct {
	name   string
	body   string
	want   bool
	common bool
}{
	// XML
	{name: "XML: unknown session, Request", body: xmlAnswer(xmlErrors("Request", "SessionId")), want: true},
	{name: "XML: unknown session, Action", body: xmlAnswer(xmlErrors("Action", "SessionId")), want: true},
	{name: "XML: one of many errors", body: xmlAnswer(xmlErrors("Request", "Action", "SessionId")), want: true},
	{name: "XML: both lists", body: xmlAnswer(xmlErrors("Action", "Name") + xmlErrors("Request", "SessionId")), want: true},
	{name: "XML: parameter in white space and another case", body: xmlAnswer(xmlErrors("Request", " \r\n SESSIONID\t")), want: true},
	{name: "XML: parameter escaped", body: xmlAnswer(xmlErrors("Request", "Session&#73;d")), want: true},
	{name: "XML: parameter in CDATA", body: xmlAnswer(xmlErrors("Request", "<![CDATA[SessionId]]>")), want: true},
	{name: "XML: no namespace", body: `<Response><Context>` + xmlErrors("Request", "SessionId") + `</Context></Response>`, want: true},
	{name: "XML: prefixed names", body: `<o:Response xmlns:o="` + testNamespace + `"><o:Context><o:Request><o:Errors><o:Error>` +
		`<o:Parameter>SessionId</o:Parameter></o:Error></o:Errors></o:Request></o:Context></o:Response>`, want: true},
	{name: "XML: byte order mark and white space", body: "\xef\xbb\xbf \r\n" + xmlAnswer(xmlErrors("Request", "SessionId")), want: true},
	{name: "XML: cut after the Context", body: strings.TrimSuffix(xmlAnswer(xmlErrors("Request", "SessionId")), "</Result></Response>"), want: true},
	{name: "XML: comment and element before the Context", body: `<Response><!-- x --><Other><Context/></Other><Context>` +
		xmlErrors("Request", "SessionId") + `</Context></Response>`, want: true},

	{name: "XML: vendor's SessionCreate sample", body: readTestdata("session-create.xml"), common: true},
	{name: "XML: vendor's SessionDestroy sample, SessionId echoed", body: readTestdata("session-destroy.xml"), common: true},
	{name: "XML: error on another parameter", body: xmlAnswer(xmlErrors("Request", "Password"))},
	{name: "XML: Error outside Errors", body: xmlAnswer(`<Request><Error><Parameter>SessionId</Parameter></Error></Request>`)},
	{name: "XML: Context deeper down", body: `<Response><Other><Context>` + xmlErrors("Request", "SessionId") + `</Context></Other></Response>`},
	{name: "XML: Exception", body: `<Exception>Error: SessionId</Exception>`},
	{name: "XML: root in another case", body: `<response><Context>` + xmlErrors("Request", "SessionId") + `</Context></response>`},
	{name: "XML: element names in another case", body: xmlAnswer(`<Request><Errors><error><Parameter>SessionId</Parameter></error></Errors></Request>`)},
	{name: "XML: cut inside the Context", body: xmlAnswer(xmlErrors("Request", "SessionId"))[:120]},
	{name: "XML: byte order mark after white space", body: " \xef\xbb\xbf" + xmlAnswer(xmlErrors("Request", "SessionId"))},
	{name: "XML: foreign encoding", body: `<?xml version="1.0" encoding="ISO-8859-1"?><Response><Context>` +
		xmlErrors("Request", "SessionId") + `</Context></Response>`},
	{name: "XML: vertical tab before the root", body: "\v" + xmlAnswer(xmlErrors("Request", "SessionId"))},

	// JSON
	{name: "JSON: one error, an object", body: jsonDoc(jsonErrorList("Request", "SessionId")), want: true},
	{name: "JSON: many errors, an array", body: jsonDoc(jsonErrorList("Request", "Action", "SessionId")), want: true},
	{name: "JSON: in Action", body: jsonDoc(jsonErrorList("Action", "SessionId")), want: true},
	{name: "JSON: keys in lower case", body: strings.ToLower(jsonDoc(jsonErrorList("Request", "SessionId"))), want: true},
	{name: "JSON: keys in upper case", body: strings.ToUpper(jsonDoc(jsonErrorList("Request", "SessionId"))), want: true},
	{name: "JSON: key escaped", body: strings.Replace(jsonDoc(jsonErrorList("Request", "SessionId")), `"Error"`, `"Err\u006fr"`, 1), want: true},
	{name: "JSON: every key letter escaped", body: strings.Replace(jsonDoc(jsonErrorList("Request", "SessionId")),
		`"Error"`, `"\u0045\u0072\u0052\u004F\u0072"`, 1), want: true},
	{name: "JSON: long s in a key", body: strings.Replace(jsonDoc(jsonErrorList("Request", "SessionId")), `"Errors"`, "\"Error\u017f\"", 1), want: true},
	{name: "JSON: long s escaped in a key", body: strings.Replace(jsonDoc(jsonErrorList("Request", "SessionId")), `"Response"`, `"Re\u017fponse"`, 1), want: true},
	{name: "JSON: value escaped", body: jsonDoc(jsonErrorList("Request", `Session\u0049d`)), want: true},
	{name: "JSON: value in white space and another case", body: jsonDoc(jsonErrorList("Request", ` \n SESSIONID `)), want: true},
	{name: "JSON: byte order mark and white space", body: "\xef\xbb\xbf\n " + jsonDoc(jsonErrorList("Request", "SessionId")), want: true},
	{name: "JSON: a field of another type beside the refusal", body: jsonDoc(`"Action":"UserRead",` + jsonErrorList("Request", "SessionId")), want: true},
	{name: "JSON: an odd error beside the refusal", body: jsonDoc(`"Request":{"Errors":{"Error":[7,{"Parameter":1},{"Parameter":"SessionId"}]}}`), want: true},
	{name: "JSON: duplicate lists", body: jsonDoc(jsonErrorList("Request", "SessionId") + "," + jsonErrorList("Request", "Password")), want: true},

	{name: "JSON: success", body: jsonDoc(`"Action":{"IsCompleted":"true"},"Request":{"IsValid":"true","Parameters":{"Parameter":` +
		`[{"Name":"Action","Value":"UserRead"},{"Name":"SessionId","Value":"abc"}]}},"Session":{"IsEstablished":"true","SessionId":"abc"}`), common: true},
	{name: "JSON: success with escapes", body: jsonDoc(`"Request":{"IsValid":"true","Name":"Jos\u00e9 \"Pep\u00e9\" \\ \/"}`), common: true},
	{name: "JSON: error on another parameter", body: jsonDoc(jsonErrorList("Request", "Password"))},
	{name: "JSON: Error a string", body: jsonDoc(`"Request":{"Errors":{"Error":"SessionId"}}`)},
	{name: "JSON: Errors an array", body: jsonDoc(`"Request":{"Errors":[{"Error":{"Parameter":"SessionId"}}]}`)},
	{name: "JSON: parameter spelt out in a value", body: jsonDoc(`"Request":{"Errors":{"Error":{"Message":"SessionId"}}}`)},
	{name: "JSON: cut", body: strings.TrimSuffix(jsonDoc(jsonErrorList("Request", "SessionId")), "}")},
	{name: "JSON: trailing data", body: jsonDoc(jsonErrorList("Request", "SessionId")) + "x"},
	{name: "JSON: an array", body: "[" + jsonDoc(jsonErrorList("Request", "SessionId")) + "]"},
	{name: "JSON: not escaped as JSON allows", body: jsonDoc(jsonErrorList("Request", `Session\x49d`))},

	// Neither
	{name: "empty", body: "", common: true},
	{name: "white space", body: " \r\n\t", common: true},
	{name: "byte order mark alone", body: "\xef\xbb\xbf", common: true},
	{name: "text", body: "upstream connect error: SessionId", common: true},
	{name: "UTF-16", body: "\xff\xfe<\x00R\x00", common: true},
}

func readTestdata(name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestRefusesSession(t *testing.T) {
	for _, tc := range refusalCases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if got := refusesSession(body); got != tc.want {
				t.Errorf("refusesSession = %v, want %v", got, tc.want)
			}
			refused, sure := refusesSessionFast(body)
			switch {
			case sure && refused != tc.want:
				t.Errorf("refusesSessionFast = %v, sure, want %v", refused, tc.want)
			case tc.common && !sure:
				t.Error("refusesSessionFast is not sure of a common answer")
			}
		})
	}
}

// The fast check is sure of the answers the provider sees every time
// whatever they say, unless they hold an error.
func TestRefusesSessionFastIsSureOfSuccesses(t *testing.T) {
	for _, body := range []string{
		readTestdata("session-create.xml"),
		readTestdata("session-destroy.xml"),
		"\xef\xbb\xbf" + readTestdata("session-create.xml"),
		strings.ReplaceAll(readTestdata("session-create.xml"), "<", "<x:"),
		jsonDoc(`"Session":{"IsEstablished":"false"}`),
		`{"Response":{"Context":{"Request":{"IsValid":"true"}},"Result":{"UserBrowse":{"Users":{"User":[{"Name":"Ren\u00e9e"}]}}}}}`,
	} {
		if refused, sure := refusesSessionFast([]byte(body)); refused || !sure {
			t.Errorf("refusesSessionFast(%.40q…) = %v, %v; want false, sure", body, refused, sure)
		}
	}
}

// The fast check is never sure of an answer holding an error, whatever
// spelling a JSON key may take.
func TestRefusesSessionFastDoubtsErrors(t *testing.T) {
	for _, body := range []string{
		`<Response><Context><Request><Errors><Error/></Errors></Request></Context></Response>`,
		`<Response><Context>Error</Context></Response>`,
		`{"error":1}`, `{"ERROR":1}`, `{"eRrOr":1}`, `{"\u0065rror":1}`, `{"e\u0072ror":1}`, `{"er\u0052or":1}`,
		`{"err\u006Fr":1}`, `{"erro\u0072":1}`, `{"x":"\\u0065"}`,
	} {
		if _, sure := refusesSessionFast([]byte(body)); sure {
			t.Errorf("refusesSessionFast(%q) is sure", body)
		}
	}
}

func TestContainsFoldASCII(t *testing.T) {
	for _, tc := range []struct {
		b    string
		want bool
	}{
		{"", false}, {"erro", false}, {"error", true}, {"xxERRORxx", true}, {"eRrOr", true},
		{"errxor", false}, {"eerror", true}, {"e\u0280ror", false}, {"errorr", true}, {"rr", false},
	} {
		if got := containsFoldASCII([]byte(tc.b), "error"); got != tc.want {
			t.Errorf("containsFoldASCII(%q) = %v", tc.b, got)
		}
	}
	// Every spelling of the word at every place in bodies around the
	// eight-byte windows' sizes.
	for n := 0; n <= 40; n++ {
		for at := 0; at+len(errorKey) <= n; at++ {
			for mask := range 1 << len(errorKey) {
				word := []byte(errorKey)
				for k := range word {
					if mask&(1<<k) != 0 {
						word[k] -= 'a' - 'A'
					}
				}
				b := []byte(strings.Repeat("r", n))
				copy(b[at:], word)
				if !containsFoldASCII(b, errorKey) {
					t.Fatalf("containsFoldASCII(%q) = false", b)
				}
			}
		}
	}
	// Against the byte-at-a-time search, on bodies of the word's letters.
	seed := uint32(1)
	for range 20000 {
		b := make([]byte, 1+seed%37)
		for k := range b {
			seed = seed*1664525 + 1013904223
			b[k] = "eErRoOx"[(seed>>16)%7]
		}
		if got, want := containsFoldASCII(b, errorKey), containsFoldSlow(b, errorKey); got != want {
			t.Fatalf("containsFoldASCII(%q) = %v, byte by byte %v", b, got, want)
		}
	}
}

func TestEscapesLetterOf(t *testing.T) {
	for _, tc := range []struct {
		b    string
		want bool
	}{
		{``, false}, {`\`, false}, {`\u006`, false}, {`\u0065`, true}, {`\u0045`, true}, {`x\u004fx`, true},
		{`\u006f`, true}, {`\u0052`, true}, {`\u0072`, true}, {`\u0061`, false}, {`\u00e9`, false},
		{`\u1065`, false}, {`\n\t\"\\`, false}, {`\\u0065`, true}, {`\uZZZZ\u0065`, true}, {`\u00g5`, false},
	} {
		if got := escapesLetterOf([]byte(tc.b), "error"); got != tc.want {
			t.Errorf("escapesLetterOf(%q) = %v", tc.b, got)
		}
	}
}

// FuzzRefusal checks that the fast check never disagrees with the full
// one: whenever it is sure, it says what refusesSession says.
func FuzzRefusal(f *testing.F) {
	for _, tc := range refusalCases {
		f.Add([]byte(tc.body))
		for _, cut := range []int{1, 2, 3, len(tc.body) / 3, len(tc.body) / 2, len(tc.body) - 20, len(tc.body) - 1} {
			if cut > 0 && cut < len(tc.body) {
				f.Add([]byte(tc.body[:cut]))
			}
		}
	}
	for _, body := range []string{
		`{"response":{"context":{"request":{"errors":{"error":{"parameter":"sessionid"}}}}}}`,
		`{"Response":{"Context":{"Request":{"Errors":{"Error":[{"Parameter":"Session\u0049d"},{"Parameter":"SessionId"}]}}}}}`,
		`{"Re\u017fponse":{"Context":{"Action":{"Errors":{"Error":{"Parameter":"SessionId"}}}}}}`,
		"{\"Re\u017fponse\":{\"Conte\u212at\":{}}}",
		`<Response><Context><Action><Errors><Error><Parameter>SessionId</Parameter></Error></Errors></Action></Context></Response>`,
		`<?xml version="1.0"?><!DOCTYPE Response [<!ENTITY s "SessionId">]><Response><Context/></Response>`,
		"<Response>\xff<Context><Request><Errors><Error><Parameter>SessionId</Parameter></Error></Errors></Request></Context></Response>",
	} {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		full := refusesSession(body)
		if refused, sure := refusesSessionFast(body); sure && refused != full {
			t.Fatalf("fast check says %v, sure; full check says %v", refused, full)
		}
	})
}

// BenchmarkRefusal measures the fast and the full check on a vendor-shaped
// answer that does not refuse, in both formats.
func BenchmarkRefusal(b *testing.B) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"XML", []byte(readTestdata("session-create.xml"))},
		{"JSON", []byte(jsonDoc(`"Action":{"IsCompleted":"true"},"Request":{"IsValid":"true","DateTime":"2014-04-18T17:22:43+00:00",` +
			`"Duration":"32","Parameters":{"Parameter":[{"Name":"Action","Value":"UserRead"},{"Name":"Output","Value":"json"},` +
			`{"Name":"SessionId","Value":"h68kucpnejdv2jm3bq2cmhikp5"}]}},"Session":{"IsEstablished":"true",` +
			`"SessionId":"h68kucpnejdv2jm3bq2cmhikp5","UserId":"152255","Roles":{"Role":{"Name":"Account Admin"}}}`))},
	} {
		b.Run(tc.name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if refused, sure := refusesSessionFast(tc.body); refused || !sure {
					b.Fatal("not sure of a success")
				}
			}
		})
		b.Run(tc.name+"/full", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if refusesSession(tc.body) {
					b.Fatal("a success refused")
				}
			}
		})
	}
	// The fast check's own worst case: a JSON answer full of near misses.
	worst := bytes.Repeat([]byte(`"Errand":"eRRo","x":"\u00e9",`), 40)
	worst = append(append([]byte(`{`), worst...), `"y":1}`...)
	b.Run("JSON-near-misses/fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(worst)))
		for b.Loop() {
			if _, sure := refusesSessionFast(worst); !sure {
				b.Fatal("not sure")
			}
		}
	})
}

// mayHoldAnswer says what mime.ParseMediaType and the list of an answer's
// types say, without the cost for the types OnSIP sends.
func TestMayHoldAnswer(t *testing.T) {
	for _, ct := range []string{
		"", "text/xml", "text/xml; charset=utf-8", "TEXT/XML", "text/html; charset=UTF-8", "text/plain",
		"application/xml", "application/atom+xml", "application/json", "application/JSON; charset=utf-8",
		"application/problem+json", "application/octet-stream", "text/javascript",
		"image/png", "image/png; x", "image/png;", "application/zip", "video/mp4; codecs=\"avc1\"",
		"text", "/", "image/", "\u212aext/xml", "image/png; a=1; a=2", " image/png ",
	} {
		want := true
		if mediaType, _, err := mime.ParseMediaType(ct); ct != "" && err == nil {
			want = strings.HasPrefix(mediaType, "text/") || mediaType == "application/octet-stream" ||
				strings.HasSuffix(mediaType, "/xml") || strings.HasSuffix(mediaType, "+xml") ||
				strings.HasSuffix(mediaType, "/json") || strings.HasSuffix(mediaType, "+json")
		}
		if got := mayHoldAnswer(ct); got != want {
			t.Errorf("mayHoldAnswer(%q) = %v, want %v", ct, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { mayHoldAnswer("text/xml; charset=utf-8") }); n != 0 {
		t.Errorf("%v allocations for text/xml", n)
	}
}

// refusesSessionFast relies on no letter outside ASCII folding, as
// encoding/json folds keys (unicode.SimpleFold), to a letter of "error":
// Unicode has such letters only for 'k' and 's'. A new Unicode version
// that adds one must fail here.
func TestNoFoldOutsideASCIIForErrorLetters(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf && strings.ContainsRune(errorKey, unicode.ToLower(f)) {
				t.Errorf("%U folds to %q", r, f)
			}
		}
	}
}
