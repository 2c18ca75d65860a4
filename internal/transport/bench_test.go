package transport_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/pbxauth/pbxauth/internal/transport"
)

// BenchmarkRoundTrip compares a GET through a bare http.Transport with the
// same GET through a Transport over the same kind of http.Transport, against
// one loopback server answering 200 "ok": the cost of the retry layer on the
// success path.
func BenchmarkRoundTrip(b *testing.B) {
	srv := newServer(b, func(w http.ResponseWriter, _ *http.Request, _ int) {
		_, _ = io.WriteString(w, "ok")
	})
	for _, bc := range []struct {
		name string
		rt   func(base *http.Transport) http.RoundTripper
	}{
		{"bare", func(base *http.Transport) http.RoundTripper { return base }},
		{"retrying", func(base *http.Transport) http.RoundTripper {
			return &transport.Transport{Base: base, Budget: transport.NewBudget()}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rt := bc.rt(newBase(b))
			buf := make([]byte, 64)
			b.ReportAllocs()
			for b.Loop() {
				req, err := http.NewRequestWithContext(b.Context(), http.MethodGet, srv.URL, nil)
				if err != nil {
					b.Fatal(err)
				}
				resp, err := rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.ReadFull(resp.Body, buf[:2])
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK || string(buf[:n]) != "ok" {
					b.Fatalf("got %d %q", resp.StatusCode, buf[:n])
				}
			}
		})
	}
}

// BenchmarkBudget is a retry and its refund, from many goroutines at once.
func BenchmarkBudget(b *testing.B) {
	budget := transport.NewBudget()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if budget.Take(transport.RetryCost) {
				budget.Refund(transport.RetryCost)
			}
		}
	})
}
