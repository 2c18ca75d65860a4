package otelauth_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/otelauth"
	"github.com/pbxauth/pbxauth/providers/onsip"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// A service that already has OpenTelemetry set up creates the hooks once,
// from its own providers, and puts them in every auth.Config.
func ExampleHooks() {
	ctx := context.Background()

	// The service's own providers, made once at start-up (in production
	// with an OTLP exporter rather than a manual reader). The View is
	// optional: it gives the login duration buckets of the service's
	// choosing.
	mp := sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(sdkmetric.NewManualReader()),
		sdkmetric.WithView(sdkmetric.NewView(
			sdkmetric.Instrument{Name: "pbxauth.login.duration", Scope: instrumentation.Scope{Name: otelauth.ScopeName}},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{
				Boundaries: []float64{0.1, 0.25, 0.5, 1, 2.5, 10},
			}},
		)),
	)
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = mp.Shutdown(ctx) }()
	defer func() { _ = tp.Shutdown(ctx) }()

	// One *auth.Hooks for the whole process: every tenant and provider
	// shares it. Without the two options it uses the global providers.
	hooks, err := otelauth.Hooks(
		otelauth.WithMeterProvider(mp),
		otelauth.WithTracerProvider(tp),
		otelauth.WithAttributes(attribute.String("deployment.environment.name", "production")),
	)
	if err != nil {
		log.Fatal(err)
	}

	// A fake OnSIP API stands in for https://api.onsip.com/api.
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "john.doe@example.onsip.com", Password: "mysuperpassword"})
	os.Setenv("ONSIP_PASSWORD", "mysuperpassword")

	a, err := onsip.New(auth.Config{
		Endpoint: srv.URL,
		Credentials: auth.Credentials{
			Username: "john.doe@example.onsip.com",
			Password: auth.Secret(os.Getenv("ONSIP_PASSWORD")),
		},
		Hooks: hooks,
	})
	if err != nil {
		log.Fatal(err)
	}

	// The login is a child span of the request that caused it.
	reqCtx, span := tp.Tracer("checkout").Start(ctx, "POST /checkout")
	s, err := a.Session(reqCtx)
	span.End()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as user", s.UserID)
	if err := a.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// signed in as user 100001
}
