package provider_test

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// startsWithBrace is a start that wants a body whose first byte past white
// space is '{'.
func startsWithBrace(b []byte) (known, may bool) {
	i := provider.SkipSpace(b)
	return i < len(b), i < len(b) && b[i] == '{'
}

// readers are the ways a body may come: whole, a byte at a time, in
// halves, and with its last bytes and io.EOF together.
var readers = map[string]func(io.Reader) io.Reader{
	"whole": func(r io.Reader) io.Reader { return r }, "bytes": iotest.OneByteReader,
	"halves": iotest.HalfReader, "data and EOF": iotest.DataErrReader,
}

// countingReader counts the bytes read from r and whether it said io.EOF.
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

// With no start, ReadStart reads what io.ReadAll through a limit of one
// byte past limit reads, whatever the length says.
func TestReadStartReadsAll(t *testing.T) {
	const limit = 5000
	for _, body := range []string{"", "a", strings.Repeat("x", 600), strings.Repeat("y", limit), strings.Repeat("z", limit+1), strings.Repeat("w", 3*limit)} {
		for _, length := range []int64{-1, 0, int64(len(body)), int64(len(body)) + 7, 1 << 40} {
			for name, wrap := range readers {
				want, _ := io.ReadAll(io.LimitReader(wrap(strings.NewReader(body)), limit+1))
				src := &countingReader{r: wrap(strings.NewReader(body))}
				read, whole, err := provider.ReadStart(src, length, limit, 3, nil)
				if err != nil || !bytes.Equal(read, want) {
					t.Errorf("%d bytes, length %d, %s: read %d bytes (want %d), error %v", len(body), length, name, len(read), len(want), err)
				}
				if src.n != len(read) {
					t.Errorf("%d bytes, length %d, %s: %d bytes taken from the body, %d returned", len(body), length, name, src.n, len(read))
				}
				if whole != src.sawEOF {
					t.Errorf("%d bytes, length %d, %s: whole = %v", len(body), length, name, whole)
				}
			}
		}
	}
}

// With a start, a body it rules out is read no further than the read that
// showed it, and one it wants is read as without a start.
func TestReadStartJudges(t *testing.T) {
	const limit = 5000
	for _, tc := range []struct {
		body string
		want bool
	}{
		{"", false}, {"   ", false}, {"{}", true}, {" \r\n\t{\"a\":1}", true}, {strings.Repeat(" ", 700) + "{}", true},
		{"{" + strings.Repeat("x", limit+10), true}, {"PK\x03\x04" + strings.Repeat("z", 3*limit), false},
		{"RIFF" + strings.Repeat("\x00", 3*limit), false},
	} {
		for _, length := range []int64{-1, 0, int64(len(tc.body)), int64(len(tc.body)) + 7, 1 << 40} {
			for name, wrap := range readers {
				src := &countingReader{r: wrap(strings.NewReader(tc.body))}
				read, whole, err := provider.ReadStart(src, length, limit, 0, startsWithBrace)
				if err != nil || src.n != len(read) || !strings.HasPrefix(tc.body, string(read)) {
					t.Errorf("%.8q, length %d, %s: %d bytes read, %d taken from the body, error %v", tc.body, length, name, len(read), src.n, err)
					continue
				}
				known, may := startsWithBrace(read)
				switch {
				case tc.want && (!known || !may):
					t.Errorf("%.8q, length %d, %s: a wanted body ruled out", tc.body, length, name)
				case tc.want:
					want, _ := io.ReadAll(io.LimitReader(strings.NewReader(tc.body), limit+1))
					if !bytes.Equal(read, want) {
						t.Errorf("%.8q, length %d, %s: %d bytes read of a wanted body, want %d", tc.body, length, name, len(read), len(want))
					}
				case len(read) > provider.SkipSpace(read)+512:
					t.Errorf("%.8q, length %d, %s: %d bytes read of a body ruled out", tc.body, length, name, len(read))
				}
				if whole != src.sawEOF {
					t.Errorf("%.8q, length %d, %s: whole = %v", tc.body, length, name, whole)
				}
			}
		}
	}
}

// A read error stops a body start has not ruled out; once it has, the
// error stays in the body for its reader.
func TestReadStartErrors(t *testing.T) {
	boom := errors.New("connection reset")
	read, whole, err := provider.ReadStart(io.MultiReader(strings.NewReader(`{"a":`), iotest.ErrReader(boom)), -1, 100, 0, startsWithBrace)
	if !errors.Is(err, boom) || whole || string(read) != `{"a":` {
		t.Errorf("%d bytes, whole %v, error %v", len(read), whole, err)
	}
	read, whole, err = provider.ReadStart(io.MultiReader(strings.NewReader(`{"a":`), iotest.ErrReader(boom)), 9, 100, 0, nil)
	if !errors.Is(err, boom) || whole || string(read) != `{"a":` {
		t.Errorf("no start: %d bytes, whole %v, error %v", len(read), whole, err)
	}
	rest := io.MultiReader(strings.NewReader("<a/>"), iotest.ErrReader(boom))
	read, _, err = provider.ReadStart(rest, -1, 100, 0, startsWithBrace)
	if err != nil || string(read) != "<a/>" {
		t.Errorf("a body ruled out: %d bytes, error %v", len(read), err)
	}
	if _, err := rest.Read(make([]byte, 1)); !errors.Is(err, boom) {
		t.Errorf("the error did not stay in the body: %v", err)
	}
}

// A body of known length gets one buffer, with room for the caller's
// bytes, whether or not start judges it: at most one more when it is
// longer than what is read before judging.
func TestReadStartOneBuffer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		start  func([]byte) (bool, bool)
		allocs float64
	}{
		{"form", "Action=UserRead&Output=json", nil, 1},
		{"large form", strings.Repeat("a=b&", 5000), nil, 1},
		{"answer", `{"result":"success","user":{"id":1}}`, startsWithBrace, 1},
		{"large answer", `{"pad":"` + strings.Repeat("x", 50000) + `"}`, startsWithBrace, 2},
	} {
		const room = 40
		var read []byte
		r := strings.NewReader(tc.body)
		allocs := testing.AllocsPerRun(20, func() {
			r.Reset(tc.body)
			var whole bool
			read, whole, _ = provider.ReadStart(r, int64(len(tc.body)), 1<<20, room, tc.start)
			if !whole {
				t.Fatalf("%s: not read whole", tc.name)
			}
		})
		if allocs > tc.allocs {
			t.Errorf("%s: %v allocations, want %v", tc.name, allocs, tc.allocs)
		}
		if string(read) != tc.body || cap(read)-len(read) < room {
			t.Errorf("%s: %d bytes read, room for %d more, want %d", tc.name, len(read), cap(read)-len(read), room)
		}
	}
}

// A download of 1 MiB that start rules out costs a few KiB, not its size,
// though its Content-Length says 1 MiB.
func TestReadStartDownloadNotSized(t *testing.T) {
	const size = 1 << 20
	download := bytes.Repeat([]byte("RIFF\x00\x01\x02\x03"), size/8)
	r := bytes.NewReader(download)
	perCall := allocatedPerCall(func() {
		r.Reset(download)
		read, _, err := provider.ReadStart(r, size, size, 0, startsWithBrace)
		if err != nil || len(read) == 0 || len(read) > 512 {
			t.Fatalf("%d bytes read, error %v", len(read), err)
		}
	})
	if perCall > 16<<10 {
		t.Errorf("%d bytes allocated per call to read the start of a 1 MiB download", perCall)
	}
}

// allocatedPerCall returns the bytes f allocates, the least of a few
// rounds of calls, so that another goroutine's work in one round does not
// count.
func allocatedPerCall(f func()) uint64 {
	const calls = 20
	least := ^uint64(0)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range calls {
			f()
		}
		runtime.ReadMemStats(&after)
		least = min(least, (after.TotalAlloc-before.TotalAlloc)/calls)
	}
	return least
}

func TestSkipSpace(t *testing.T) {
	for b, want := range map[string]int{"": 0, "   ": 3, "{": 0, " \t\r\n<": 4, "\xef\xbb\xbf{": 0, "\v{": 0} {
		if got := provider.SkipSpace([]byte(b)); got != want {
			t.Errorf("SkipSpace(%q) = %d, want %d", b, got, want)
		}
	}
}
