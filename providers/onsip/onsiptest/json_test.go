package onsiptest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pbxauth/pbxauth/providers/onsip/onsiptest"
)

// postJSON posts form to the fake and decodes its JSON answer.
func postJSON(t *testing.T, s *onsiptest.Server, form url.Values) map[string]any {
	t.Helper()
	resp, err := http.PostForm(s.URL, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, onsiptest.JSONContentType, resp.Header.Get("Content-Type"))
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(body, &doc))
	return doc
}

// at walks a decoded JSON document by member names.
func at(t *testing.T, doc any, path ...string) any {
	t.Helper()
	for _, name := range path {
		m, ok := doc.(map[string]any)
		require.True(t, ok, "%s: not an object", name)
		doc = m[name]
	}
	return doc
}

// With Output=json the API answers the same tree in JSON: booleans as
// strings, one error an object, many an array.
func TestOutputJSON(t *testing.T) {
	s := onsiptest.NewServer()
	defer s.Close()
	s.AddUser(onsiptest.User{Username: user, Password: password})

	doc := postJSON(t, s, url.Values{"Action": {"SessionCreate"}, "Username": {user}, "Password": {password}, "Output": {"json"}})
	session := at(t, doc, "Response", "Context", "Session")
	assert.Equal(t, "true", at(t, session, "IsEstablished"))
	id, _ := at(t, session, "SessionId").(string)
	assert.NotEmpty(t, id)
	assert.Equal(t, map[string]any{"Name": onsiptest.DefaultRole}, at(t, session, "Roles", "Role"))
	assert.Contains(t, at(t, doc, "Response", "Result"), "SessionCreate")
	for _, p := range at(t, doc, "Response", "Context", "Request", "Parameters", "Parameter").([]any) {
		if p.(map[string]any)["Name"] == "Password" {
			assert.Equal(t, onsiptest.MaskedPassword, p.(map[string]any)["Value"])
		}
	}

	// One error: an object.
	doc = postJSON(t, s, url.Values{"Action": {"UserRead"}, "SessionId": {"unknown"}, "Output": {"json"}})
	refusal := at(t, doc, "Response", "Context", "Request", "Errors", "Error")
	assert.Equal(t, map[string]any{"Parameter": "SessionId", "Code": "Invalid", "Message": "Session is not valid."}, refusal)
	assert.Equal(t, "false", at(t, doc, "Response", "Context", "Request", "IsValid"))

	// Many errors: an array.
	doc = postJSON(t, s, url.Values{"Action": {"SessionCreate"}, "Output": {"JSON"}})
	assert.Len(t, at(t, doc, "Response", "Context", "Request", "Errors", "Error"), 2)
}
