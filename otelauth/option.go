package otelauth

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// An Option configures [Hooks].
type Option interface {
	apply(*config)
}

// config is what the options set.
type config struct {
	meterProvider    metric.MeterProvider
	tracerProvider   trace.TracerProvider
	attributes       []attribute.KeyValue
	accountOnMetrics bool
}

// newConfig applies opts over the defaults: the global providers, read
// when Hooks is called (as otelhttp and redisotel do), so a service that
// sets its providers first needs no option at all.
func newConfig(opts []Option) config {
	c := config{
		meterProvider:  otel.GetMeterProvider(),
		tracerProvider: otel.GetTracerProvider(),
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	return c
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithMeterProvider records metrics with mp instead of the global
// MeterProvider (otel.GetMeterProvider at the time Hooks is called). A nil
// mp keeps the global one.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) {
		if mp != nil {
			c.meterProvider = mp
		}
	})
}

// WithTracerProvider records spans with tp instead of the global
// TracerProvider (otel.GetTracerProvider at the time Hooks is called). A
// nil tp keeps the global one. To record metrics only, pass the no-op
// provider of go.opentelemetry.io/otel/trace/noop.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) {
		if tp != nil {
			c.tracerProvider = tp
		}
	})
}

// WithAttributes adds attrs to every metric data point and to the login and
// logout spans: for example the tenant tier or the deployment's region,
// when those are not already resource attributes. The package's own
// attributes win over one of attrs with the same key. Each distinct value
// adds time series, so keep them few.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	attrs = append([]attribute.KeyValue(nil), attrs...) // the caller may reuse its slice
	return optionFunc(func(c *config) {
		c.attributes = append(c.attributes, attrs...)
	})
}

// WithAccountOnMetrics puts the account key (pbxauth.account) on metrics
// as well as on spans when on is true. It is off by default: the key is one
// value per tenant account, so with thousands of tenants every metric
// carries thousands of time series. Turn it on only where the number of
// accounts is small, or where the metrics backend is built for that
// cardinality. The key is a non-reversible hash, never a username.
func WithAccountOnMetrics(on bool) Option {
	return optionFunc(func(c *config) {
		c.accountOnMetrics = on
	})
}
