package webmap

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// Sessions. A login answers with the session token twice: as an HttpOnly,
// SameSite=Strict cookie for the map, and in the body for scripts, which
// send it as "Authorization: Bearer TOKEN" (or ?token= on GET /ws). The
// database keeps only the token's SHA-256 hash.
//
// CSRF: a write authenticated by the cookie must carry the header
// X-Diaban-CSRF equal to the diaban_csrf cookie (double submit; the cookie
// is readable by the map's script, not by other sites), and must not come
// from another site (Sec-Fetch-Site). A Bearer token is never sent by a
// browser on its own, so those requests are exempt.
const (
	sessionCookie = "diaban_session"
	csrfCookie    = "diaban_csrf"
	csrfHeader    = "X-Diaban-CSRF"
)

// DefaultSessionTTL is how long a session lasts when Config.SessionTTL is 0.
const DefaultSessionTTL = 12 * time.Hour

// principal is the authenticated caller of one request.
type principal struct {
	user      *hotspot.User
	viaCookie bool
	token     string
}

type ctxKey int

const principalKey ctxKey = 0

// userFrom returns the request's user (nil on public routes).
func userFrom(ctx context.Context) *hotspot.User {
	if p, ok := ctx.Value(principalKey).(*principal); ok {
		return p.user
	}
	return nil
}

func errStatus(status int, field, msg string) error {
	return &badRequest{field: field, msg: msg, status: status}
}

var (
	errLoginRequired = errStatus(http.StatusUnauthorized, "session", "login required")
	errForbidden     = errStatus(http.StatusForbidden, "role", "not allowed for your role or area")
	errCSRF          = errStatus(http.StatusForbidden, csrfHeader, "missing or wrong CSRF token")
)

// authenticate finds the caller's session: Bearer header, then cookie, then
// (for the websocket, whose browser API cannot set headers) ?token=.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	p := &principal{}
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil, errLoginRequired
		}
		p.token = strings.TrimSpace(tok)
	} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		p.token, p.viaCookie = c.Value, true
	} else if r.URL.Path == "/ws" {
		p.token = r.URL.Query().Get("token")
	}
	if p.token == "" {
		return nil, errLoginRequired
	}
	u, err := s.store.SessionUser(r.Context(), p.token)
	if errors.Is(err, hotspot.ErrNotFound) {
		return nil, errLoginRequired
	}
	if err != nil {
		return nil, err
	}
	p.user = u
	return p, nil
}

// checkCSRF refuses cross-site requests and, for cookie-authenticated
// writes, a missing or wrong CSRF header.
func checkCSRF(r *http.Request, p *principal) error {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return errCSRF
	}
	if p == nil || !p.viaCookie {
		return nil
	}
	c, err := r.Cookie(csrfCookie)
	h := r.Header.Get(csrfHeader)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(h)) != 1 {
		return errCSRF
	}
	return nil
}

// clientAddr is the caller's address: the connection's, or the first
// X-Forwarded-For hop when the server sits behind a trusted proxy.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			first, _, _ := strings.Cut(f, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// secure reports whether the request reached us over TLS.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.cfg.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// loginBody is POST /api/login.
type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// loginAnswer is the body of a successful login.
type loginAnswer struct {
	Token   string        `json:"token"`
	CSRF    string        `json:"csrf"`
	Expires time.Time     `json:"expires"`
	User    *hotspot.User `json:"user"`
}

// handleLogin answers POST /api/login. A wrong user name, a wrong password
// and a disabled account get the same 401; too many failures for a name or
// from an address get a 429 (see loginLimiter).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := checkCSRF(r, nil); err != nil {
		return err
	}
	var b loginBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	if b.Username == "" {
		return errBad("username", "is required")
	}
	name, addr := strings.ToLower(strings.TrimSpace(b.Username)), s.clientAddr(r)
	if wait := s.limiter.blocked(name, addr); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return errStatus(http.StatusTooManyRequests, "username", "too many failed logins; try again later")
	}
	u, err := s.store.Authenticate(r.Context(), name, b.Password)
	if errors.Is(err, hotspot.ErrBadCredentials) {
		s.limiter.fail(name, addr)
		s.auditSession(r, "session.login_refused", nil)
		return errStatus(http.StatusUnauthorized, "password", err.Error())
	}
	if err != nil {
		return err
	}
	s.limiter.succeed(name)
	token, exp, err := s.store.CreateSession(r.Context(), u, s.sessionTTL())
	if err != nil {
		return err
	}
	s.auditSession(r, "session.login", u)
	csrf := randomToken()
	secure := s.secure(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: exp, HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", Expires: exp, Secure: secure, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, loginAnswer{Token: token, CSRF: csrf, Expires: exp, User: u})
	return nil
}

// handleLogout answers POST /api/logout: the session ends, the cookies go.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	p, _ := r.Context().Value(principalKey).(*principal)
	if p != nil {
		if err := s.store.EndSession(r.Context(), p.token); err != nil {
			return err
		}
		s.auditSession(r, "session.logout", p.user)
	}
	for _, name := range []string{sessionCookie, csrfCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleMe answers GET /api/me: who is logged in, in which role and area.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, userFrom(r.Context()))
	return nil
}

func (s *Server) sessionTTL() time.Duration {
	if s.cfg.SessionTTL > 0 {
		return s.cfg.SessionTTL
	}
	return DefaultSessionTTL
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loginLimiter counts failed logins per user name and per address in
// fixed windows. It lives in memory: each `diaban serve` instance counts
// on its own, so behind a balancer with N instances an attacker gets up to
// N times the budget (README.md, Users and roles).
type loginLimiter struct {
	mu      sync.Mutex
	window  time.Duration
	perUser int
	perAddr int
	counts  map[string]*failWindow
	now     func() time.Time
}

type failWindow struct {
	n     int
	until time.Time
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{window: 15 * time.Minute, perUser: 5, perAddr: 20, counts: map[string]*failWindow{}, now: time.Now}
}

// blocked returns how long name or addr must wait, or 0.
func (l *loginLimiter) blocked(name, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for key, max := range map[string]int{"u:" + name: l.perUser, "a:" + addr: l.perAddr} {
		if f, ok := l.counts[key]; ok {
			if now.After(f.until) {
				delete(l.counts, key)
			} else if f.n >= max && f.until.Sub(now) > wait {
				wait = f.until.Sub(now)
			}
		}
	}
	return wait
}

func (l *loginLimiter) fail(name, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.counts) > 100000 { // a flood of names: forget the expired ones
		for k, f := range l.counts {
			if now.After(f.until) {
				delete(l.counts, k)
			}
		}
	}
	for _, key := range []string{"u:" + name, "a:" + addr} {
		f, ok := l.counts[key]
		if !ok || now.After(f.until) {
			f = &failWindow{until: now.Add(l.window)}
			l.counts[key] = f
		}
		f.n++
	}
}

func (l *loginLimiter) succeed(name string) {
	l.mu.Lock()
	delete(l.counts, "u:"+name)
	l.mu.Unlock()
}
