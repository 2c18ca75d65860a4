package onsip_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/auth"
)

// sessionRefused is OnSIP's answer to a request whose SessionId it does not
// know, as onsiptest writes it.
var sessionRefused = response(`<Action><IsCompleted>false</IsCompleted></Action><Request><IsValid>false</IsValid>` +
	`<Errors><Error><Parameter>SessionId</Parameter><Code>Invalid</Code><Message>Session is not valid.</Message></Error></Errors>` +
	`</Request>` + notEstablished)

// jsonRefused and jsonEstablished are OnSIP's answers in JSON (a call with
// Output=json) to a request whose SessionId it does not know, and to one it
// accepts.
const (
	jsonRefused = `{"Response":{"Context":{"Action":{"IsCompleted":"false"},"Request":{"IsValid":"false",` +
		`"Errors":{"Error":{"Parameter":"SessionId","Code":"Invalid","Message":"Session is not valid."}}},` +
		`"Session":{"IsEstablished":"false"}},"Result":{"UserRead":{}}}}`
	jsonEstablished = `{"Response":{"Context":{"Action":{"IsCompleted":"true"},"Request":{"IsValid":"true"},` +
		`"Session":{"IsEstablished":"true","SessionId":"abc"}},"Result":{"UserRead":{"User":{"UserId":"7"}}}}}`
)

// fetch gets an answer of status, contentType and body over loopback HTTP.
func fetch(t *testing.T, status int, contentType, body string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{contentType} // "" too: no sniffing
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestRefused(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	huge := strings.Repeat("<Pad>padding</Pad>", 1<<16) // over 1 MiB
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		want        bool
	}{
		{"HTTP 401", http.StatusUnauthorized, "text/plain", "no", true},
		{"HTTP 403", http.StatusForbidden, "", "", true},
		{"unknown session, HTTP 200", http.StatusOK, "text/xml; charset=utf-8", sessionRefused, true},
		{"unknown session, no namespace", http.StatusOK, "application/xml",
			`<Response><Context><Request><Errors><Error><Parameter>SessionId</Parameter></Error></Errors></Request></Context></Response>`, true},
		{"unknown session, in Action, any case", http.StatusOK, "text/xml",
			response(`<Action><Errors><Error><Parameter> SESSIONID </Parameter></Error></Errors></Action>`), true},
		{"one of many errors", http.StatusOK, "text/xml", response(`<Request><Errors>` +
			`<Error><Parameter>Action</Parameter></Error><Error><Parameter>SessionId</Parameter></Error></Errors></Request>`), true},
		{"labelled HTML", http.StatusOK, "text/html; charset=UTF-8", sessionRefused, true},
		{"not labelled", http.StatusOK, "", sessionRefused, true},
		{"HTTP 500 with a refusal", http.StatusInternalServerError, "text/xml", sessionRefused, true},
		{"large Result after the Context", http.StatusOK, "text/xml", strings.Replace(sessionRefused,
			"<Result><SessionCreate/></Result>", "<Result>"+huge+"</Result>", 1), true},

		{"success", http.StatusOK, "text/xml", established("abc"), false},
		{"an error on another parameter", http.StatusOK, "text/xml",
			response(`<Request><Errors><Error><Parameter>Action</Parameter></Error></Errors></Request>`), false},
		{"SessionId only echoed", http.StatusOK, "text/xml", response(`<Request><Parameters><Parameter>` +
			`<Name>SessionId</Name><Value>x</Value></Parameter></Parameters></Request>`), false},
		{"exception", http.StatusOK, "text/xml", exception("SessionId"), false},
		{"garbage", http.StatusOK, "text/xml", "upstream connect error\n", false},
		{"cut short", http.StatusOK, "text/xml", sessionRefused[:150], false},
		{"XML labelled JSON", http.StatusOK, "application/json", sessionRefused, true},
		{"JSON, one error", http.StatusOK, "application/json", jsonRefused, true},
		{"JSON, many errors", http.StatusOK, "application/json; charset=utf-8", strings.Replace(jsonRefused,
			`"Error":{"Parameter":"SessionId","Code":"Invalid","Message":"Session is not valid."}`,
			`"Error":[{"Parameter":"Action","Code":"Invalid"},{"Parameter":"SessionId","Code":"Invalid"}]`, 1), true},
		{"JSON, labelled text", http.StatusOK, "text/javascript", jsonRefused, true},
		{"JSON success", http.StatusOK, "application/json", jsonEstablished, false},
		{"JSON cut short", http.StatusOK, "application/json", jsonRefused[:len(jsonRefused)-1], false},
		{"labelled an image", http.StatusOK, "image/png", sessionRefused, false},
		{"labelled badly", http.StatusOK, "image/png; x", sessionRefused, true},
		{"not an answer", http.StatusOK, "application/octet-stream", "PK\x03\x04" + sessionRefused, false},
		{"over 1 MiB before the Context", http.StatusOK, "text/xml",
			strings.Replace(sessionRefused, "<Context>", huge+"<Context>", 1), false},
		{"HTTP 404", http.StatusNotFound, "text/plain", "not found", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := fetch(t, tc.status, tc.contentType, tc.body)
			assert.Equal(t, tc.want, a.Refused(resp))
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.True(t, string(got) == tc.body, "the caller reads the whole body, as sent (%d of %d bytes)", len(got), len(tc.body))
		})
	}
}

// Refused reads at most a MiB and a byte of an answer: the rest of a long
// one, still on its way, does not hold it up, and a refusal in the first
// MiB is seen.
func TestRefusedReadsAtMostOneMiB(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	head, tail, _ := strings.Cut(sessionRefused, "</Result>")
	pad := strings.Repeat("<Pad>padding</Pad>", 1<<16) // over 1 MiB
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, head+pad)
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "</Result>"+tail)
	}))
	defer srv.Close()
	defer close(release)

	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	done := make(chan bool)
	go func() { done <- a.Refused(resp) }()
	select {
	case refused := <-done:
		assert.True(t, refused)
	case <-time.After(5 * time.Second):
		t.Fatal("Refused waited for the rest of the body")
	}
}

// A body that cannot be an answer is read no further than its first
// bytes, so a download is not pulled into memory.
func TestRefusedReadsOnlyWhatItNeeds(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	src := &countingReader{r: strings.NewReader("\xef\xbb\xbf  PK\x03\x04" + strings.Repeat("z", 10<<20))}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: -1, Body: io.NopCloser(src)}
	assert.False(t, a.Refused(resp))
	assert.LessOrEqual(t, src.n, 4<<10)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.EqualValues(t, 9+10<<20, n)
}

// A download that says its length (1 MiB) is not given a buffer of that
// size when its first bytes show it is no answer: Refused sets aside a few
// KiB, whatever the Content-Length.
func TestRefusedDownloadNotSized(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	const size = 1 << 20
	src := &countingReader{r: strings.NewReader("Date,Caller,Duration\n" + strings.Repeat("2024-01-02,+15551234,42\n", size/24))}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/csv"}},
		ContentLength: size, Body: io.NopCloser(src)}
	assert.False(t, a.Refused(resp))
	assert.LessOrEqual(t, src.largest, 8<<10, "the buffer Refused read the download into")
	assert.LessOrEqual(t, src.n, 512)
}

// A body that fails part way still fails for the caller, after the bytes
// Refused read.
func TestRefusedKeepsReadErrors(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	boom := errors.New("connection reset")
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: 4000,
		Body: io.NopCloser(io.MultiReader(strings.NewReader(sessionRefused[:100]), iotest.ErrReader(boom)))}
	assert.False(t, a.Refused(resp))
	got, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, sessionRefused[:100], string(got))
}

// Refused reads a body whatever its length says, longer or shorter.
func TestRefusedContentLengthIsAHint(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	for _, length := range []int64{-1, 0, 1, int64(len(sessionRefused)) - 1, int64(len(sessionRefused)),
		int64(len(sessionRefused)) + 1, 1 << 30} {
		resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: length,
			Body: io.NopCloser(iotest.OneByteReader(strings.NewReader(sessionRefused)))}
		assert.True(t, a.Refused(resp), "Content-Length %d", length)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, sessionRefused, string(got), "Content-Length %d", length)
	}
}

// countingReader counts the bytes read from r, and notes the largest
// buffer a read was handed: how much memory the reader set aside.
type countingReader struct {
	r       io.Reader
	n       int
	largest int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.largest = max(c.largest, cap(p))
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// The body Refused puts back closes the original.
func TestRefusedBodyClosesTheOriginal(t *testing.T) {
	a, err := newAuthenticatorAt("https://api.onsip.com/api")
	require.NoError(t, err)
	body := &closeRecorder{Reader: strings.NewReader(sessionRefused)}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: body}
	require.True(t, a.Refused(resp))
	require.NoError(t, resp.Body.Close())
	assert.True(t, body.closed)
}

type closeRecorder struct {
	io.Reader
	closed bool
}

func (c *closeRecorder) Close() error {
	c.closed = true
	return nil
}

// After onsiptest forgets the session, its answer to the next request is
// recognised as a refusal, and the caller can still read it.
func TestRefusedAgainstServer(t *testing.T) {
	a, srv := start(t)
	s, err := a.Session(context.Background())
	require.NoError(t, err)
	call := func() *http.Response {
		req := newRequest(t, http.MethodPost, srv.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=UserRead"))
		require.NoError(t, a.Authorize(req, s))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}

	resp := call()
	assert.False(t, a.Refused(resp), "a live session")
	srv.ForgetSessions()
	resp = call()
	assert.True(t, a.Refused(resp), "a forgotten session")
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), "<Parameter>SessionId</Parameter>")
	assert.Contains(t, string(body), "</Response>")
}

// refusingServer is an OnSIP that knows only the session it issued last,
// and answers in XML, or in JSON for a call carrying Output=json, with the
// refusals holding errors (one, or more with SessionId the last).
type refusingServer struct {
	*httptest.Server
	errors int // how many errors a refusal holds

	mu      sync.Mutex
	logins  int
	current string // the one session known; "" for none
}

func newRefusingServer(t *testing.T, errs int) *refusingServer {
	s := &refusingServer{errors: errs}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *refusingServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.ParseForm() != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	asJSON := r.Form.Get("Output") == "json"
	var xmlErrs, jsonErrs []string
	for i := range s.errors {
		param := "Action"
		if i == s.errors-1 {
			param = "SessionId"
		}
		xmlErrs = append(xmlErrs, `<Error><Parameter>`+param+`</Parameter><Code>Invalid</Code></Error>`)
		jsonErrs = append(jsonErrs, `{"Parameter":"`+param+`","Code":"Invalid"}`)
	}
	jsonList := strings.Join(jsonErrs, ",")
	if len(jsonErrs) > 1 {
		jsonList = "[" + jsonList + "]"
	}
	var answer string
	switch {
	case r.Form.Get("Action") == "SessionCreate":
		s.logins++
		s.current = "session-" + strconv.Itoa(s.logins)
		answer = established(s.current)
	case r.Form.Get("SessionId") == s.current && s.current != "" && asJSON:
		answer = jsonEstablished
	case r.Form.Get("SessionId") == s.current && s.current != "":
		answer = established(s.current)
	case asJSON:
		answer = `{"Response":{"Context":{"Request":{"IsValid":"false","Errors":{"Error":` + jsonList + `}}}}}`
	default:
		answer = response(`<Request><IsValid>false</IsValid><Errors>` + strings.Join(xmlErrs, "") + `</Errors></Request>`)
	}
	if asJSON {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "text/xml")
	}
	_, _ = io.WriteString(w, answer)
}

// forget makes the server forget the session it issued last, as after an
// idle timeout on the vendor's side.
func (s *refusingServer) forget() {
	s.mu.Lock()
	s.current = ""
	s.mu.Unlock()
}

func (s *refusingServer) loginCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// A session refused in an answer of either format, with one error or many,
// costs NewClient exactly one new login, and the call then goes through.
func TestClientLogsInAgainOnRefusal(t *testing.T) {
	for _, format := range []string{"xml", "json"} {
		for _, errs := range []int{1, 3} {
			t.Run(format+"/"+strconv.Itoa(errs)+" errors", func(t *testing.T) {
				srv := newRefusingServer(t, errs)
				a := newAuthenticator(t, srv.URL)
				_, err := a.Session(context.Background())
				require.NoError(t, err)
				c, err := auth.NewClient(a, nil)
				require.NoError(t, err)
				srv.forget()

				form := "Action=UserRead"
				if format == "json" {
					form += "&Output=json"
				}
				resp, err := c.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader(form))
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, resp.Body.Close())
				require.NoError(t, err)
				assert.Equal(t, 2, srv.loginCount(), "logins: the first, and one after the refusal")
				assert.False(t, a.Refused(&http.Response{StatusCode: http.StatusOK, Header: resp.Header,
					Body: io.NopCloser(bytes.NewReader(body))}), "the answer the caller got is the one after the new login")
			})
		}
	}
}
