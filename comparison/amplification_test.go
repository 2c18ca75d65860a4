package comparison_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// During a vendor outage every tenant's calls fail at once. A retry budget
// per tenant (or per client) multiplies the load on the vendor by the
// number of tries; one budget per vendor origin, shared by every tenant of
// the process, bounds it. These tests count the requests a dead vendor
// gets for a number of calls: pbxauth must stay within 1.75 times the
// calls; go-retryablehttp with its default retry count is the peer.

const (
	calls     = 200  // authenticators, or fresh clients, one call each
	maxAmplif = 1.75 // requests per call pbxauth may cost during an outage
)

// fastWaits keep the count quick: the number of tries does not depend on
// the waits between them.
var fastWaits = auth.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}

// dead is a server that answers every request 503, counting them.
func dead(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// concurrently runs f calls times at once.
func concurrently(f func(i int)) {
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// loginsDuringAnOutage: calls authenticators (calls tenants) of one vendor
// origin each log in once while the vendor answers 503.
func loginsDuringAnOutage(t testing.TB) float64 {
	srv, requests := dead(t)
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()} // one base, as in a real process
	concurrently(func(i int) {
		a, err := onsip.New(auth.Config{Endpoint: srv.URL + "/api", HTTPClient: client, Retry: fastWaits,
			Credentials: auth.Credentials{Username: "tenant" + strings.Repeat("x", i%7) + "@example.onsip.com", Password: "pw"}})
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = a.Login(context.Background())
	})
	return float64(requests.Load()) / calls
}

// clientCallsDuringAnOutage: calls fresh auth.NewClients of one
// authenticator each make one API call while the vendor answers 503.
func clientCallsDuringAnOutage(t testing.TB) float64 {
	srv := onsiptest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddUser(onsiptest.User{Username: "john@example.onsip.com", Password: "pw"})
	a, err := onsip.New(auth.Config{Endpoint: srv.URL, Retry: fastWaits,
		Credentials: auth.Credentials{Username: "john@example.onsip.com", Password: "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Session(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1<<30, http.StatusServiceUnavailable)
	before := srv.Requests()
	concurrently(func(int) {
		c, err := auth.NewClient(a, nil)
		if err != nil {
			t.Error(err)
			return
		}
		resp, err := c.PostForm(srv.URL, url.Values{"Action": {"UserRead"}})
		if err == nil {
			_ = resp.Body.Close()
		}
	})
	return float64(srv.Requests()-before) / calls
}

// retryableHTTPDuringAnOutage: calls fresh go-retryablehttp clients with
// their default retry count (4) each make one call to a dead vendor.
func retryableHTTPDuringAnOutage(t testing.TB) float64 {
	srv, requests := dead(t)
	concurrently(func(int) {
		c := retryablehttp.NewClient()
		c.Logger = nil
		c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, 2*time.Millisecond // counts, not waits
		resp, err := c.Post(srv.URL, "application/x-www-form-urlencoded", strings.NewReader("Action=UserRead"))
		if err != nil && requests.Load() == 0 {
			t.Error(err)
		}
		if err == nil {
			_ = resp.Body.Close()
		}
	})
	return float64(requests.Load()) / calls
}

func TestOutageAmplification(t *testing.T) {
	logins := loginsDuringAnOutage(t)
	clients := clientCallsDuringAnOutage(t)
	peer := retryableHTTPDuringAnOutage(t)
	t.Logf("requests per call during an outage: %d pbxauth authenticators %.2f, %d fresh NewClients %.2f, %d go-retryablehttp clients %.2f",
		calls, logins, calls, clients, calls, peer)
	if logins > maxAmplif {
		t.Errorf("%d authenticators of one origin cost %.2f requests per login during an outage, want at most %.2f", calls, logins, maxAmplif)
	}
	if clients > maxAmplif {
		t.Errorf("%d fresh NewClients cost %.2f requests per call during an outage, want at most %.2f", calls, clients, maxAmplif)
	}
	// The comparison the package exists for: the same calls through a
	// common retrying client cost the dead vendor more.
	if logins >= peer {
		t.Errorf("authenticators cost %.2f requests per login, go-retryablehttp %.2f: want fewer", logins, peer)
	}
	if clients >= peer {
		t.Errorf("fresh NewClients cost %.2f requests per call, go-retryablehttp %.2f: want fewer", clients, peer)
	}
}

// BenchmarkOutageAmplification reports the same counts as metrics, for
// docs/benchmarks.md: requests the dead vendor got per call.
func BenchmarkOutageAmplification(b *testing.B) {
	for _, bc := range []struct {
		name string
		run  func(testing.TB) float64
	}{
		{"pbxauth-authenticators", loginsDuringAnOutage},
		{"pbxauth-fresh-clients", clientCallsDuringAnOutage},
		{"retryablehttp-defaults", retryableHTTPDuringAnOutage},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var sum float64
			for b.Loop() {
				sum += bc.run(b)
			}
			b.ReportMetric(sum/float64(b.N), "requests/call")
		})
	}
}
