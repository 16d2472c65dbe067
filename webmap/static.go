package webmap

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
)

// staticFS is the map: HTML, JS, CSS and vendored Leaflet, embedded so a
// server on a closed network needs nothing from the internet.
//
//go:embed static
var staticFS embed.FS

// toLoginFirst answers a request for the map page itself without a valid
// session with a redirect to the login screen (true), so the page never
// starts only to be refused (a 401 in the browser's console on every
// visit). Every other file is served as it is.
func (s *Server) toLoginFirst(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/" && r.URL.Path != "/index.html" {
		return false
	}
	if _, err := s.authenticate(r); !errors.Is(err, errLoginRequired) {
		return false // a session, or a database fault the page will report
	}
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/login.html?next="+url.QueryEscape(next), http.StatusSeeOther)
	return true
}

// The static files are served from memory, each with a strong ETag made
// from its content and, for a client that accepts it, gzip-compressed once
// when first asked for (about 650 kB of scripts and styles become ~170 kB).
//
// Cache-Control is no-cache: a browser keeps each file and asks again on
// every visit with If-None-Match, answered 304 without a body while the
// binary is the same. Content-hashed immutable URLs would save those
// round trips, but the page's thirty ES modules import each other by
// name ("./api.js"): hashing their URLs means rewriting every import (or
// an inline import map, which the CSP's script-src 'self' forbids). One
// 304 per file on a police LAN is cheap, and a new binary is picked up on
// the next load without any stale file.

// staticFile is one embedded file as it is sent.
type staticFile struct {
	body, gz []byte // gz is nil when compressing does not pay
	ctype    string
	etag     string // of body; etagGz of gz
	etagGz   string
}

// staticFiles reads and compresses the embedded tree once per process.
var staticFiles = sync.OnceValues(func() (map[string]*staticFile, error) {
	root, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	files := map[string]*staticFile{}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		tag := hex.EncodeToString(sum[:12])
		f := &staticFile{body: body, etag: `"` + tag + `"`, etagGz: `"` + tag + `-gz"`}
		f.ctype = mime.TypeByExtension(path.Ext(name))
		if f.ctype == "" {
			f.ctype = http.DetectContentType(body)
		}
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		// Images already compressed gain nothing; small files little.
		if buf.Len() < len(body)*9/10 && len(body)-buf.Len() > 128 {
			f.gz = buf.Bytes()
		}
		files[name] = f
		return nil
	})
	return files, err
})

// serveStatic answers GET and HEAD for an embedded file: "/" is
// index.html; a directory or an unknown name is 404 (no listing).
func serveStatic(w http.ResponseWriter, r *http.Request) {
	files, err := staticFiles()
	if err != nil {
		http.Error(w, "static files unreadable", http.StatusInternalServerError)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	f, ok := files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	body, etag := f.body, f.etag
	if f.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, etag = f.gz, f.etagGz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip reads an Accept-Encoding header: gzip (or x-gzip, or *) with
// a quality above zero and not refused by name.
func acceptsGzip(header string) bool {
	named, star := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = x
				} else {
					q = 0
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			named = max(named, q)
		case "*":
			star = max(star, q)
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// etagMatches is If-None-Match's weak comparison against etag ("*" matches).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
