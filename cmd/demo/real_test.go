package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/providers/ipcortex/ipcortextest"
	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// writeFile writes text to a file for a test.
func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o600) }

// otherCA makes a self-signed CA certificate that signed none of the test
// servers' certificates.
func otherCA(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert
}

// writeCA writes cert, a test server's self-signed certificate (its own
// CA), to a PEM file and returns the file's path.
func writeCA(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	require.NotNil(t, cert, "a TLS server")
	path := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, writeFile(path, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))))
	return path
}

const (
	testPassword = "pw-123456789"
	testKey      = "k-123456789"
)

var testEnv = envOf(map[string]string{passwordEnv: testPassword, apiKeyEnv: testKey})

func TestRealOnSIPOverTLSWithPrivateCA(t *testing.T) {
	srv := onsiptest.NewTLSServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "u@example.onsip.com", Password: testPassword})
	ca := writeCA(t, srv.Certificate())

	r := runDemo(t, []string{"-provider", "onsip", "-endpoint", srv.URL, "-username", "u@example.onsip.com",
		"-ca-file", ca, "-call", "UserRead", "-v"}, testEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stdout, "authenticated API call")
	assert.Regexp(t, `POST Action=UserRead: HTTP 200, [1-9][0-9]* bytes`, r.stdout)
	assert.Equal(t, 1, srv.Calls("UserRead"), "one API call, through NewClient")
	assert.Equal(t, 1, srv.Logins())
	assert.Equal(t, 0, srv.ActiveSessions(), "logged out")
	require.NotEmpty(t, r.made, "the session was recorded (and is not in the output)")
	assert.NotContains(t, r.stdout, "<Response", "never the body")
}

func TestRealIPCortexOverTLSWithPrivateCA(t *testing.T) {
	srv := ipcortextest.NewTLSServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{ID: 7, Login: "jane", Password: testPassword})
	srv.AddAPIKey(testKey, "jane")
	ca := writeCA(t, srv.Certificate())
	for _, args := range [][]string{
		{"-username", "jane"},
		{"-api-key", "-option", "key_in_header=true"},
		{"-api-key", "-key-in-header", "-json", "-metrics"},
	} {
		before := srv.Calls("/rest/call/list")
		r := runDemo(t, append([]string{"-provider", "ipcortex", "-endpoint", srv.URL, "-ca-file", ca,
			"-call", "/rest/call/list", "-v"}, args...), testEnv)
		require.Equal(t, exitOK, r.code, "%v: stderr: %s", args, r.stderr)
		assert.Contains(t, r.stdout, "POST /rest/call/list: HTTP 200")
		assert.Equal(t, before+1, srv.Calls("/rest/call/list"), "%v: one API call", args)
		assert.NotContains(t, r.stdout, `"result"`, "never the body")
	}
	assert.Equal(t, 0, srv.ActiveSessions())
}

func TestRealUntrustedCertificate(t *testing.T) {
	srv := onsiptest.NewTLSServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "u@example.onsip.com", Password: testPassword})
	for _, extra := range [][]string{nil, {"-ca-file", writeCA(t, otherCA(t))}} {
		r := runDemo(t, append([]string{"-provider", "onsip", "-endpoint", srv.URL, "-username", "u@example.onsip.com"}, extra...), testEnv)
		assert.Equal(t, exitFailed, r.code, "%v", extra)
		assertReported(t, r.stderr, "signed by an unknown authority")
		assert.Contains(t, r.stderr, "-ca-file")
		assert.Contains(t, r.stdout, "login", "the step that failed is shown")
	}
	assert.Equal(t, 0, srv.Logins(), "no credential reached an untrusted server")
}

func TestRealInsecureHTTPWarns(t *testing.T) {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{ID: 7, Login: "jane", Password: testPassword})
	r := runDemo(t, []string{"-provider", "ipcortex", "-endpoint", srv.URL, "-username", "jane", "-insecure-http"}, testEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "WARNING: -insecure-http: the password and the session go to "+srv.URL+" in clear text")
}

func TestRealRefusedExitsOne(t *testing.T) {
	srv := onsiptest.NewServer()
	defer srv.Close()
	srv.AddUser(onsiptest.User{Username: "u@example.onsip.com", Password: "right-password"})
	wrong := envOf(map[string]string{passwordEnv: "wrong-password"})
	for _, extra := range [][]string{{"-v"}, {"-json", "-metrics", "-v"}} {
		r := runDemo(t, append([]string{"-provider", "onsip", "-endpoint", srv.URL, "-username", "u@example.onsip.com"}, extra...), wrong,
			"right-password")
		assert.Equal(t, exitFailed, r.code)
		assertReported(t, r.stderr, "invalid credentials")
		assert.Contains(t, r.stderr, "Check -username and the password")
		if extra[0] == "-json" {
			rep := decode(t, r.stdout)
			require.Len(t, rep.errors, 1)
			assert.Contains(t, rep.errors[0], "invalid credentials")
		}
	}
}

func TestRealSignsInWithoutCall(t *testing.T) {
	srv := ipcortextest.NewServer()
	defer srv.Close()
	srv.AddUser(ipcortextest.User{ID: 7, Login: "jane", Password: testPassword})
	r := runDemo(t, []string{"-provider", "ipcortex", "-endpoint", srv.URL, "-username", "jane", "-json"}, testEnv)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	var names []string
	for _, s := range decode(t, r.stdout).steps {
		names = append(names, s.Step)
	}
	assert.Equal(t, []string{"login", "session (from the cache)", "logout"}, names)
	assert.False(t, strings.Contains(r.stdout, "API call"))
}
