package onsip

import (
	"bytes"
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/pbxauth/pbxauth/auth/provider"
)

// Refused reports whether resp says OnSIP no longer accepts the session
// the request carried: HTTP 401 or 403, or, since OnSIP refuses with HTTP
// 200, an XML Response whose Context holds an error on the SessionId
// parameter.
//
// To tell, Refused reads the body up to the end of the Context element (at
// most 1 MiB) and puts back a body that gives the bytes it read and then
// the rest, and whose Close closes the original: the caller reads the same
// answer either way. A body whose Content-Type cannot be XML is not read.
func (a *Authenticator) Refused(resp *http.Response) bool {
	switch {
	case resp == nil:
		return false
	case provider.RefusedStatus(resp.StatusCode):
		return true
	case resp.Body == nil || resp.Body == http.NoBody || !mayBeXML(resp.Header.Get("Content-Type")):
		return false
	}
	var seen bytes.Buffer
	refused := scanRefusal(io.TeeReader(io.LimitReader(resp.Body, provider.MaxResponseSize), &seen))
	resp.Body = provider.PutBack(seen.Bytes(), resp.Body)
	return refused
}

// scanRefusal reads an OnSIP Response from r up to the end of its
// Context, and no further: what follows (the Result, perhaps large) has no
// bearing on the session. Anything that is not such a document is no
// refusal.
func scanRefusal(r io.Reader) bool {
	d := xml.NewDecoder(r)
	root, err := rootElement(d)
	if err != nil || root.Name.Local != rootResponse {
		return false
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		start, ok := tok.(xml.StartElement)
		switch {
		case !ok:
			if _, end := tok.(xml.EndElement); end {
				return false // the Response closed with no Context
			}
		case start.Name.Local == "Context":
			var c apiContext
			return d.DecodeElement(&c, &start) == nil && c.refusesSession()
		default:
			if d.Skip() != nil {
				return false
			}
		}
	}
}

// mayBeXML reports whether a body of contentType may hold an XML document:
// XML types, any text type (a server may label XML text/html or
// text/plain), octet streams, and bodies that do not say or say it badly.
func mayBeXML(contentType string) bool {
	if contentType == "" {
		return true
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true
	}
	return strings.HasPrefix(mediaType, "text/") || strings.HasSuffix(mediaType, "/xml") ||
		strings.HasSuffix(mediaType, "+xml") || mediaType == "application/octet-stream"
}
