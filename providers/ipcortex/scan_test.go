package ipcortex

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// answerCases are answers to API calls, whether they refuse, and whether
// the fast check must decide them on its own (common).
var answerCases = []struct {
	name         string
	body         string
	want, common bool
}{
	{name: "fail", body: `{"result":"fail","message":"authentication required"}`, want: true},
	{name: "fail, white space", body: "\r\n {\"result\" : \"fail\" }\n", want: true},
	{name: "fail, key in upper case", body: `{"RESULT":"fail"}`, want: true},
	{name: "fail, key with a long s", body: "{\"re\u017fult\":\"fail\"}", want: true},
	{name: "fail, key escaped", body: `{"r\u0065sult":"fail"}`, want: true},
	{name: "fail, value escaped", body: `{"result":"f\u0061il"}`, want: true},
	{name: "fail, value all escaped", body: `{"result":"\u0066\u0061\u0069\u006C"}`, want: true},
	{name: "fail, last of two", body: `{"result":"success","result":"fail"}`, want: true},
	{name: "fail, message not a string", body: `{"result":"fail","message":{"text":"x"}}`, want: true},

	{name: "vendor's sample", body: readTestdata("sample-answer.json"), common: true},
	{name: "success", body: `{"result":"success","data":{"path":"/rest/x"}}`, common: true},
	{name: "success, escapes", body: `{"result":"success","name":"Ren\u00e9e \"R\" \\ \/"}`, common: true},
	{name: "array", body: `[{"result":"fail"}]`, common: true},
	{name: "string", body: `"fail"`, common: true},
	{name: "empty", body: ``, common: true},
	{name: "not JSON", body: `result: fail`, common: true},
	{name: "fail in another case", body: `{"result":"FAIL"}`, common: true},
	{name: "fail escaped in another case", body: `{"result":"\u0046AIL"}`, common: true},
	{name: "fail then success", body: `{"result":"fail","result":"success"}`},
	{name: "fail in another field", body: `{"result":"success","note":"fail"}`},
	{name: "fail padded", body: `{"result":" fail"}`},
	{name: "malformed", body: `{"result":"fail"`},
	{name: "trailing data", body: `{"result":"fail"}x`},
	{name: "result of another type after fail", body: `{"result":"fail","result":1}`},
	{name: "result of another type before fail", body: `{"result":1,"result":"fail"}`},
	{name: "null", body: `null`, common: true},
	{name: "byte order mark", body: "\xef\xbb\xbf{\"result\":\"fail\"}", common: true},
}

func readTestdata(name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestRefusedAnswer(t *testing.T) {
	for _, tc := range answerCases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if got := refusedAnswer(body); got != tc.want {
				t.Errorf("refusedAnswer = %v, want %v", got, tc.want)
			}
			refused, sure := refusedAnswerFast(body)
			switch {
			case sure && refused != tc.want:
				t.Errorf("refusedAnswerFast = %v, sure; want %v", refused, tc.want)
			case tc.common && !sure:
				t.Error("refusedAnswerFast is not sure of a common answer")
			}
		})
	}
}

// FuzzRefusal checks that the fast check never disagrees with the full
// one: whenever it is sure, it says what refusedAnswer says.
func FuzzRefusal(f *testing.F) {
	for _, tc := range answerCases {
		f.Add([]byte(tc.body))
		for _, cut := range []int{1, len(tc.body) / 2, len(tc.body) - 1} {
			if cut > 0 && cut < len(tc.body) {
				f.Add([]byte(tc.body[:cut]))
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		full := refusedAnswer(body)
		if refused, sure := refusedAnswerFast(body); sure && refused != full {
			t.Fatalf("fast check says %v, sure; full check says %v", refused, full)
		}
	})
}

// readJSON finds what readObject finds, and reads no further.
func TestReadJSONIsReadObject(t *testing.T) {
	object := `{"a":"` + strings.Repeat("x", 3000) + `"}`
	for _, body := range []string{
		"", " ", `{}`, ` {"a":1}`, object, `[1]`, "PK\x03\x04" + strings.Repeat("z", 5000),
		strings.Repeat(" ", peekLimit-1) + "{}", strings.Repeat(" ", peekLimit) + "{}", strings.Repeat(" ", 5000),
		`{"pad":"` + strings.Repeat("x", maxBody) + `"}`, `{"pad":"` + strings.Repeat("x", maxBody-10) + `"}`,
	} {
		for _, length := range []int64{-1, 0, int64(len(body)), int64(len(body)) + 7, 1 << 40} {
			for name, wrap := range map[string]func(io.Reader) io.Reader{
				"whole": func(r io.Reader) io.Reader { return r }, "bytes": iotest.OneByteReader, "halves": iotest.HalfReader,
			} {
				wantRead, wantShape, wantErr := readObject(wrap(strings.NewReader(body)))
				src := &countingReader{r: wrap(strings.NewReader(body))}
				read, shape, whole, err := readJSON(src, length, 9)
				if shape != wantShape || (err == nil) != (wantErr == nil) {
					t.Errorf("%d bytes, length %d, %s: shape %v, error %v; readObject: %v, %v",
						len(body), length, name, shape, err, wantShape, wantErr)
				}
				if shape != notObject && !bytes.Equal(read, wantRead) {
					t.Errorf("%d bytes, length %d, %s: read %d bytes, readObject %d", len(body), length, name, len(read), len(wantRead))
				}
				if src.n != len(read) || !bytes.HasPrefix([]byte(body), read) {
					t.Errorf("%d bytes, length %d, %s: the bytes read are not the body's first", len(body), length, name)
				}
				if whole != (src.n == len(body) && src.sawEOF) {
					t.Errorf("%d bytes, length %d, %s: whole = %v", len(body), length, name, whole)
				}
				// Before the first byte is known, at most 512 bytes a read.
				if shape == notObject && len(read) > peekLimit+512 {
					t.Errorf("%d bytes, length %d, %s: %d bytes read of a body that is no object", len(body), length, name, len(read))
				}
			}
		}
	}
}

// With the length known, readJSON reads a body into one buffer with room
// for the key's member, which the splice then fills.
func TestReadJSONOneBuffer(t *testing.T) {
	const body = `{"filter":{"state":"up"},"limit":50}`
	member := keyMember("alice-api-key")
	for _, wrap := range []func(io.Reader) io.Reader{
		func(r io.Reader) io.Reader { return r }, iotest.OneByteReader, iotest.DataErrReader,
	} {
		read, shape, whole, err := readJSON(wrap(strings.NewReader(body)), int64(len(body)), len(member)+1)
		if err != nil || shape != object || !whole || string(read) != body {
			t.Fatalf("shape %v, whole %v, error %v, %d bytes", shape, whole, err, len(read))
		}
		out, ok := spliceKey(read, member)
		if !ok || &out[0] != &read[0] {
			t.Error("the splice needed another buffer")
		}
	}
}

// A read error that is not the end stops readJSON, as it does readObject.
func TestReadJSONKeepsErrors(t *testing.T) {
	boom := errors.New("connection reset")
	_, shape, whole, err := readJSON(io.MultiReader(strings.NewReader(`{"a":`), iotest.ErrReader(boom)), -1, 0)
	if !errors.Is(err, boom) || shape != notObject || whole {
		t.Errorf("shape %v, whole %v, error %v", shape, whole, err)
	}
}

type countingReader struct {
	r      io.Reader
	n      int
	sawEOF bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	c.sawEOF = c.sawEOF || err == io.EOF
	return n, err
}

// BenchmarkRefusal measures the fast and the full check on a
// vendor-shaped answer that does not refuse.
func BenchmarkRefusal(b *testing.B) {
	body := []byte(readTestdata("sample-answer.json"))
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if refused, sure := refusedAnswerFast(body); refused || !sure {
				b.Fatal("not sure of a success")
			}
		}
	})
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if refusedAnswer(body) {
				b.Fatal("a success refused")
			}
		}
	})
}

// readObject is the plain reference readJSON is held to: it reads r far
// enough to know whether it may hold a JSON object:
// to its first byte that is not white space and, when that is '{', on to
// its end or past maxBody. A body that starts otherwise is read no further,
// so a large download is not read through. It returns what it read, which
// the caller puts back.
func readObject(r io.Reader) ([]byte, shape, error) {
	var (
		read  []byte
		chunk [512]byte
	)
	for {
		n, err := r.Read(chunk[:])
		read = append(read, chunk[:n]...)
		if i := provider.SkipSpace(chunk[:n]); i < n {
			if chunk[i] != '{' {
				return read, notObject, nil
			}
			break
		}
		if err == io.EOF || len(read) >= peekLimit {
			return read, notObject, nil
		}
		if err != nil {
			return read, notObject, err
		}
	}
	rest, err := io.ReadAll(io.LimitReader(r, int64(maxBody+1-len(read))))
	read = append(read, rest...)
	switch {
	case err != nil:
		return read, notObject, err
	case len(read) > maxBody:
		return read, tooLarge, nil
	}
	return read, object, nil
}
