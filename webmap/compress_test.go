package webmap_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"

	"github.com/diaban/diaban/hotspot"
)

// TestAPICompressed: the API's answers are gzipped for a client that asks
// (and identical once unpacked), sent as they are to one that does not;
// tiles and the websocket are left alone; for each role, in its scope.
func TestAPICompressed(t *testing.T) {
	ts := newTestServer(t)
	tokens := map[string]string{
		"admin":             ts.token,
		"officer of 20530":  ts.addUser(t, "gz-officer", hotspot.RoleOfficer, "20530"),
		"planner of the 49": ts.addUser(t, "gz-planner", hotspot.RolePlanner, "49"),
		"viewer of the 49":  ts.addUser(t, "gz-viewer", hotspot.RoleViewer, "49"),
	}
	get := func(t *testing.T, token, path, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding) // set by hand: the client then leaves the body packed
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	for who, token := range tokens {
		t.Run(who, func(t *testing.T) {
			path := "/api/areas" // every role reads the areas; over 1 kB
			plain, want := get(t, token, path, "")
			if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" || len(want) < 1024 {
				t.Fatalf("identity: %d %q, %d bytes", plain.StatusCode, plain.Header.Get("Content-Encoding"), len(want))
			}
			packed, body := get(t, token, path, "gzip")
			if packed.StatusCode != 200 || packed.Header.Get("Content-Encoding") != "gzip" || packed.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("gzip asked: %d, Content-Encoding %q, Cache-Control %q", packed.StatusCode, packed.Header.Get("Content-Encoding"), packed.Header.Get("Cache-Control"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("unpacked answer differs from the plain one (%v): %d vs %d bytes", err, len(got), len(want))
			}
			if len(body) >= len(want) {
				t.Errorf("gzip %d bytes, plain %d", len(body), len(want))
			}
			// A refused coding is not used.
			if r, _ := get(t, token, path, "gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
				t.Errorf("gzip;q=0 answered with %q", r.Header.Get("Content-Encoding"))
			}
			// Errors (a bad id, or a viewer's 403) stay small JSON, unpacked.
			if r, b := get(t, token, "/api/hotspots/nope", "gzip"); r.StatusCode < 400 || r.Header.Get("Content-Encoding") != "" || !bytes.Contains(b, []byte(`"error"`)) {
				t.Errorf("bad id: %d %q %s", r.StatusCode, r.Header.Get("Content-Encoding"), b)
			}
			// Tiles are not packed here.
			if r, _ := get(t, token, "/tiles/areas/12/3280/1869.mvt", "gzip"); r.Header.Get("Content-Encoding") != "" {
				t.Errorf("a tile sent %q", r.Header.Get("Content-Encoding"))
			}
		})
	}
}
