package authtest

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pbxauth/pbxauth/auth"
)

// stampede is how many goroutines ask for a session at once.
const stampede = 1000

func testStampedeOneLogin(t *testing.T, f *fixture) {
	// A slow answer keeps the login open while the crowd arrives.
	f.Server.SetDelay(50 * time.Millisecond)
	var (
		wg       sync.WaitGroup
		start    = make(chan struct{})
		sessions = make([]*auth.Session, stampede)
		errs     = make([]error, stampede)
	)
	for i := range stampede {
		wg.Go(func() {
			<-start
			sessions[i], errs[i] = f.Authenticator.Session(context.Background())
		})
	}
	close(start)
	wg.Wait()
	for i := range stampede {
		requireNoError(t, errs[i], "Session in a stampede")
		if sessions[i] != sessions[0] {
			t.Fatal("callers in a stampede got different sessions")
		}
	}
	if n := f.Server.Logins(); n != 1 {
		t.Fatalf("%d concurrent Session calls caused %d logins, want 1", stampede, n)
	}
}

func testCancelledWaiter(t *testing.T, f *fixture) {
	f.Server.SetDelay(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := f.Authenticator.Session(ctx)
		first <- err
	}()
	// The second caller joins the login the first one started.
	time.Sleep(20 * time.Millisecond)
	second := make(chan error, 1)
	var got *auth.Session
	go func() {
		var err error
		got, err = f.Authenticator.Session(context.Background())
		second <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	requireError(t, <-first, context.Canceled)
	if waited := time.Since(cancelled); waited > 150*time.Millisecond {
		t.Fatalf("a cancelled caller waited %v after its cancel, want at once", waited)
	}
	requireNoError(t, <-second, "Session of a caller sharing a login whose first caller gave up")
	if got == nil || f.Server.Logins() != 1 {
		t.Fatalf("the shared login did not carry on: %d logins", f.Server.Logins())
	}
}

func testCancelledBeforeLogin(t *testing.T, f *fixture) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.Authenticator.Login(ctx)
	requireError(t, err, context.Canceled)
	_, err = f.Authenticator.Session(ctx)
	requireError(t, err, context.Canceled)
}

func testDeadlineOnSlowServer(t *testing.T, f *fixture) {
	f.Server.SetDelay(2 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.Authenticator.Login(ctx)
	requireError(t, err, context.DeadlineExceeded)
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Login past its deadline took %v, want it to stop at the deadline", took)
	}
}

// churners and churnRounds size the concurrent Login/Logout/Session mix.
const churners, churnRounds = 8, 25

func testChurn(t *testing.T, f *fixture) {
	var wg sync.WaitGroup
	errs := make(chan error, churners*churnRounds)
	for range churners {
		wg.Go(func() {
			ctx := context.Background()
			for range churnRounds {
				var err error
				switch rand.IntN(4) {
				case 0:
					_, err = f.Authenticator.Login(ctx)
				case 1:
					err = f.Authenticator.Logout(ctx)
				default:
					_, err = f.Authenticator.Session(ctx)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("churn against a healthy server: %v", err)
	}
	requireNoError(t, f.Authenticator.Logout(context.Background()), "Logout after churn")
}

// panickingTransport is the transport of the HTTPClient the suite gives
// in PanickingTransport: a RoundTripper with a bug.
type panickingTransport struct{}

func (panickingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	panic("authtest: a bug in a RoundTripper")
}

// withPanickingTransport gives the config an HTTPClient whose transport
// panics.
func withPanickingTransport(c *auth.Config) {
	c.HTTPClient = &http.Client{Transport: panickingTransport{}}
}

// testPanickingTransport: a transport that panics while concurrent callers
// wait for a login gives each an error; the process lives on.
func testPanickingTransport(t *testing.T, f *fixture) {
	if hc := f.Config.HTTPClient; hc == nil || hc.Transport != (panickingTransport{}) {
		t.Fatal("authtest: MakeFixture replaced the Config.HTTPClient the suite gave it (one whose transport panics): keep a client the suite gives")
	}
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() { _, errs[i] = f.Authenticator.Session(context.Background()) })
	}
	wg.Wait()
	for _, err := range errs {
		requireError(t, err, auth.ErrProtocol)
	}
}
