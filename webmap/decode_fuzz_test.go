package webmap

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzDecodeBody: any request body decodes or is refused with a badRequest
// naming a field, never a panic.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"ref":"H1","kind":"dealing","lon":108.25,"lat":15.9}`,
		`{"event":"eliminated","occurred_at":"2025-01-01","note":"x"}`,
		`{"ref":`, `[]`, `{"lon":"east"}`, `{"x":1}`, `{} {}`, `null`, "", `{"ref":"x"}}`, `{"ref":"x"}]`, `{"ref":"x"} x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []any{&newHotspotBody{}, &eventBody{}, &cameraBody{}} {
			r := httptest.NewRequest("POST", "/api/x", strings.NewReader(body))
			err := decodeBody(r, target)
			var br *badRequest
			if err != nil && (!errors.As(err, &br) || br.field == "") {
				t.Fatalf("%q: error %T %v does not name a field", body, err, err)
			}
		}
	})
}

// FuzzLoginBody: any login body decodes into loginBody or is refused with
// a badRequest naming a field; the limiter's keys never panic either.
func FuzzLoginBody(f *testing.F) {
	for _, s := range []string{
		`{"username":"admin","password":"secret-password"}`, `{"username":""}`, `{"username":1}`,
		`{"username":"a","password":"b","x":1}`, `{"username":"\u0000"}`, `[]`, `null`, "",
	} {
		f.Add(s)
	}
	l := newLoginLimiter()
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/login", strings.NewReader(body))
		var b loginBody
		err := decodeBody(r, &b)
		var br *badRequest
		if err != nil && (!errors.As(err, &br) || br.field == "") {
			t.Fatalf("%q: error %T %v does not name a field", body, err, err)
		}
		if err == nil {
			if res, _ := l.reserve(b.Username, "192.0.2.1"); res != nil {
				l.release(res)
			}
		}
	})
}
