package otelauth_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/pbxauth/pbxauth/auth"
	"github.com/pbxauth/pbxauth/otelauth"
)

// telemetry is a pair of in-memory SDK providers and the hooks recording
// into them.
type telemetry struct {
	hooks  *auth.Hooks
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
	tracer *sdktrace.TracerProvider
}

// newTelemetry returns hooks recording into fresh in-memory providers,
// with opts after the providers' options.
func newTelemetry(t testing.TB, opts ...otelauth.Option) *telemetry {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() {
		_ = mp.Shutdown(context.Background())
		_ = tp.Shutdown(context.Background())
	})
	opts = append([]otelauth.Option{otelauth.WithMeterProvider(mp), otelauth.WithTracerProvider(tp)}, opts...)
	hooks, err := otelauth.Hooks(opts...)
	require.NoError(t, err)
	return &telemetry{hooks: hooks, reader: reader, spans: spans, tracer: tp}
}

// metrics collects and returns the package's metrics by name.
func (tel *telemetry) metrics(t testing.TB) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := make(map[string]metricdata.Metrics)
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otelauth.ScopeName, sm.Scope.Name, "instrumentation scope")
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// caller starts a span standing for the application's own work, the
// parent every login span must have; the test ends it.
func (tel *telemetry) caller() (context.Context, trace.Span) {
	return tel.tracer.Tracer("caller").Start(context.Background(), "caller")
}

// attrs is an attribute set as text, for comparing with a literal.
type attrs map[string]string

func attrsOf(kvs []attribute.KeyValue) attrs {
	out := make(attrs, len(kvs))
	for _, kv := range kvs {
		out[string(kv.Key)] = kv.Value.String()
	}
	return out
}

func (a attrs) String() string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s,", k, a[k])
	}
	return b.String()
}

// counts returns a counter's or up-down counter's points: value by
// attribute set.
func counts(t testing.TB, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.Truef(t, ok, "%s is a %T, want an int64 sum", m.Name, m.Data)
	out := make(map[string]int64)
	for _, p := range sum.DataPoints {
		out[attrsOf(p.Attributes.ToSlice()).String()] += p.Value
	}
	return out
}

// histogram returns a histogram's points by attribute set.
func histogram(t testing.TB, m metricdata.Metrics) map[string]metricdata.HistogramDataPoint[float64] {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.Truef(t, ok, "%s is a %T, want a float64 histogram", m.Name, m.Data)
	out := make(map[string]metricdata.HistogramDataPoint[float64])
	for _, p := range h.DataPoints {
		out[attrsOf(p.Attributes.ToSlice()).String()] = p
	}
	return out
}

// wantCounts fails t unless metric name holds exactly want.
func (tel *telemetry) wantCounts(t testing.TB, name string, want map[string]int64) {
	t.Helper()
	m, ok := tel.metrics(t)[name]
	require.Truef(t, ok, "metric %s not recorded", name)
	require.Equal(t, want, counts(t, m), name)
}

// spanNamed returns the one ended span called name.
func (tel *telemetry) spanNamed(t testing.TB, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	require.Lenf(t, found, 1, "ended spans named %s", name)
	return found[0]
}

// sessionErr is the *auth.Error a provider returns for a failure holding
// sentinel, as LoginDoneInfo.Err and LogoutDoneInfo.Err carry it.
func sessionErr(op string, status int, sentinel error) error {
	return &auth.Error{Provider: "onsip", Op: op, StatusCode: status, Err: sentinel}
}
