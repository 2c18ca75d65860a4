package main

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
)

// realTransport is the transport for a real PBX: net/http's default, or
// with caFile one that trusts only the CA certificates in that PEM file
// (an on-premises PBX's private CA), as curl's --cacert does.
func realTransport(caFile string) (http.RoundTripper, error) {
	if caFile == "" {
		return http.DefaultTransport, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, usagef("-ca-file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, usagef("-ca-file %s: no PEM certificate in it", caFile)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return t, nil
}
