package webmap_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// staticGet asks for a static file with the given request headers, through
// a client that neither adds Accept-Encoding nor decompresses.
func staticGet(t *testing.T, ts *testServer, method, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ts.token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The security headers every answer carries (server.go, securityHeaders).
func checkSecurityHeaders(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q", what, csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %s %q, want %q", what, k, got, v)
		}
	}
}

// Every embedded file is served as it is on disk: gzip-compressed when the
// client accepts it (scripts and styles), as is when it does not, with a
// strong ETag from its content, revalidated with 304, and the page's
// security headers unchanged.
func TestStaticFilesCompressedAndRevalidated(t *testing.T) {
	ts := newTestServer(t)

	// Every file, both ways.
	var total, sent int
	err := filepath.WalkDir("static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		url := strings.TrimPrefix(filepath.ToSlash(p), "static")
		resp, plain := staticGet(t, ts, "GET", url, nil)
		if resp.StatusCode != 200 || !bytes.Equal(plain, want) || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s without Accept-Encoding: %d, %d bytes, encoding %q; want 200, %d bytes as is", url, resp.StatusCode, len(plain), resp.Header.Get("Content-Encoding"), len(want))
		}
		resp, zipped := staticGet(t, ts, "GET", url, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", url, resp.StatusCode)
			return nil
		}
		total += len(want)
		sent += len(zipped)
		switch resp.Header.Get("Content-Encoding") {
		case "gzip":
			if got := gunzip(t, zipped); !bytes.Equal(got, want) {
				t.Errorf("%s: gzip body decompresses to %d bytes, want the file's %d", url, len(got), len(want))
			}
		case "":
			if !bytes.Equal(zipped, want) {
				t.Errorf("%s: body differs from the file", url)
			}
			if strings.HasSuffix(url, ".js") || strings.HasSuffix(url, ".css") || strings.HasSuffix(url, ".html") {
				if len(want) > 2048 {
					t.Errorf("%s (%d bytes): not compressed", url, len(want))
				}
			}
		default:
			t.Errorf("%s: Content-Encoding %q", url, resp.Header.Get("Content-Encoding"))
		}
		if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(zipped)) {
			t.Errorf("%s: Content-Length %q, sent %d", url, cl, len(zipped))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || sent*2 > total {
		t.Errorf("static files: %d bytes sent for %d on disk; want less than half", sent, total)
	}
	t.Logf("static files: %d kB on disk, %d kB sent gzip-compressed", total/1024, sent/1024)

	// One script in detail.
	want, err := os.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	gz, zbody := staticGet(t, ts, "GET", "/app.js", map[string]string{"Accept-Encoding": "gzip"})
	id, pbody := staticGet(t, ts, "GET", "/app.js", map[string]string{"Accept-Encoding": "identity"})
	refused, rbody := staticGet(t, ts, "GET", "/app.js", map[string]string{"Accept-Encoding": "gzip;q=0, deflate"})
	for what, c := range map[string]struct {
		resp     *http.Response
		body     []byte
		encoding string
	}{"gzip": {gz, zbody, "gzip"}, "identity": {id, pbody, ""}, "gzip;q=0": {refused, rbody, ""}} {
		r := c.resp
		if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != c.encoding {
			t.Errorf("app.js asking %s: %d, Content-Encoding %q, want %q", what, r.StatusCode, r.Header.Get("Content-Encoding"), c.encoding)
		}
		if r.Header.Get("Vary") != "Accept-Encoding" || r.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("app.js asking %s: Vary %q, Cache-Control %q", what, r.Header.Get("Vary"), r.Header.Get("Cache-Control"))
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("app.js asking %s: Content-Type %q", what, ct)
		}
		if et := r.Header.Get("ETag"); !strings.HasPrefix(et, `"`) || len(et) < 10 {
			t.Errorf("app.js asking %s: ETag %q, want a strong one", what, et)
		}
		checkSecurityHeaders(t, "app.js asking "+what, r)
	}
	if !bytes.Equal(gunzip(t, zbody), want) || !bytes.Equal(pbody, want) || !bytes.Equal(rbody, want) {
		t.Error("app.js: a body differs from the file")
	}
	if len(zbody)*2 > len(want) {
		t.Errorf("app.js: %d bytes compressed of %d", len(zbody), len(want))
	}
	if gz.Header.Get("ETag") == id.Header.Get("ETag") || id.Header.Get("ETag") != refused.Header.Get("ETag") {
		t.Errorf("ETags: gzip %q, identity %q, refused %q; want one per representation", gz.Header.Get("ETag"), id.Header.Get("ETag"), refused.Header.Get("ETag"))
	}
	// Another file, another ETag.
	other, _ := staticGet(t, ts, "GET", "/style.css", map[string]string{"Accept-Encoding": "gzip"})
	if other.Header.Get("ETag") == gz.Header.Get("ETag") {
		t.Errorf("style.css and app.js share ETag %q", gz.Header.Get("ETag"))
	}

	// Revalidation: 304 without a body for the representation's own tag.
	for _, c := range []struct{ enc, inm string }{
		{"gzip", gz.Header.Get("ETag")},
		{"", id.Header.Get("ETag")},
		{"gzip", `"nope", ` + gz.Header.Get("ETag")},
		{"gzip", "W/" + gz.Header.Get("ETag")},
	} {
		r, b := staticGet(t, ts, "GET", "/app.js", map[string]string{"Accept-Encoding": c.enc, "If-None-Match": c.inm})
		if r.StatusCode != 304 || len(b) != 0 {
			t.Errorf("If-None-Match %s (encoding %q): %d with %d bytes, want 304 and none", c.inm, c.enc, r.StatusCode, len(b))
		}
		if r.Header.Get("ETag") == "" || r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("304: ETag %q, Cache-Control %q, Vary %q", r.Header.Get("ETag"), r.Header.Get("Cache-Control"), r.Header.Get("Vary"))
		}
		checkSecurityHeaders(t, "304", r)
	}
	// A tag of another content or representation: the file again.
	for _, c := range []struct{ enc, inm string }{
		{"gzip", `"0123456789abcdef"`},
		{"gzip", id.Header.Get("ETag")},
		{"", other.Header.Get("ETag")},
	} {
		r, b := staticGet(t, ts, "GET", "/app.js", map[string]string{"Accept-Encoding": c.enc, "If-None-Match": c.inm})
		if r.StatusCode != 200 || len(b) == 0 {
			t.Errorf("If-None-Match %s (encoding %q): %d with %d bytes, want 200 and the file", c.inm, c.enc, r.StatusCode, len(b))
		}
	}

	// HEAD: the GET's headers, no body.
	for _, enc := range []string{"gzip", ""} {
		r, b := staticGet(t, ts, "HEAD", "/app.js", map[string]string{"Accept-Encoding": enc})
		g, gb := staticGet(t, ts, "GET", "/app.js", map[string]string{"Accept-Encoding": enc})
		if r.StatusCode != 200 || len(b) != 0 || r.Header.Get("Content-Length") != strconv.Itoa(len(gb)) ||
			r.Header.Get("ETag") != g.Header.Get("ETag") || r.Header.Get("Content-Encoding") != g.Header.Get("Content-Encoding") {
			t.Errorf("HEAD (encoding %q): %d, %d bytes, Content-Length %q, ETag %q; GET sent %d bytes, ETag %q",
				enc, r.StatusCode, len(b), r.Header.Get("Content-Length"), r.Header.Get("ETag"), len(gb), g.Header.Get("ETag"))
		}
		checkSecurityHeaders(t, "HEAD", r)
	}

	// The page itself (logged in): index.html, compressed and revalidated.
	page, pb := staticGet(t, ts, "GET", "/", map[string]string{"Accept-Encoding": "gzip"})
	if page.StatusCode != 200 || page.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(gunzip(t, pb)), `src="app.js"`) {
		t.Errorf("/: %d, Content-Encoding %q", page.StatusCode, page.Header.Get("Content-Encoding"))
	}
	if r, _ := staticGet(t, ts, "GET", "/", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": page.Header.Get("ETag")}); r.StatusCode != 304 {
		t.Errorf("/ revalidated: %d, want 304", r.StatusCode)
	}
	// Not a file: 404, listing nothing.
	for _, p := range []string{"/nope.js", "/vendor/", "/vendor/leaflet/"} {
		if r, _ := staticGet(t, ts, "GET", p, map[string]string{"Accept-Encoding": "gzip"}); r.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, r.StatusCode)
		}
	}
	// Images are not compressed again.
	if r, _ := staticGet(t, ts, "GET", "/vendor/leaflet/images/marker-icon.png", map[string]string{"Accept-Encoding": "gzip"}); r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("marker-icon.png: %d, Content-Encoding %q, Content-Type %q", r.StatusCode, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"))
	}
}
