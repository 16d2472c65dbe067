package webmap

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
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
	// areaVersion is the areas' version read with the session: the
	// request's area index is checked against it (store.WithAreaVersion).
	areaVersion int64
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
	u, areaVersion, err := s.sessions.user(r.Context(), s.store.SessionUserAreaVersion, p.token)
	if errors.Is(err, hotspot.ErrNotFound) {
		return nil, errLoginRequired
	}
	if err != nil {
		return nil, err
	}
	p.user, p.areaVersion = u, areaVersion
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

// clientAddr is the caller's address. Without a trusted proxy it is the
// connection's. Behind one (Config.TrustProxy, Config.TrustedProxies) it
// is read from X-Forwarded-For from the right: the last hop was appended by
// the proxy that connected to us, and every hop before it was written by
// whoever sent the request, so the first hop from the right that is not a
// trusted proxy is the client. The leftmost hop, which the client writes
// itself, is never believed on its own.
func (s *Server) clientAddr(r *http.Request) string {
	peer := remoteHost(r)
	if !s.trustedProxy(peer) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.Trim(hops[i], "[]"))
		if err != nil {
			return peer // not an address: the chain is not to be believed past here
		}
		addr = addr.Unmap()
		if i == 0 || !s.trustedHop(addr) {
			return addr.String()
		}
	}
	return peer
}

// remoteHost is the address of the connection's other end.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// trustedProxy reports whether the connection's peer is a proxy whose
// X-Forwarded-* headers are believed: any peer with TrustProxy alone (one
// proxy in front, the only way in), else a peer in TrustedProxies.
func (s *Server) trustedProxy(peer string) bool {
	if len(s.cfg.TrustedProxies) == 0 {
		return s.cfg.TrustProxy
	}
	addr, err := netip.ParseAddr(peer)
	return err == nil && s.trustedHop(addr.Unmap())
}

// trustedHop reports whether a forwarded hop is one of our proxies (only
// TrustedProxies names any: with TrustProxy alone, the one proxy is the
// peer and every hop it appended is the client).
func (s *Server) trustedHop(addr netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// secure reports whether the request reached us over TLS.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.trustedProxy(remoteHost(r)) && r.Header.Get("X-Forwarded-Proto") == "https")
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

// DefaultLoginHashes is how many password hashes run at once when
// Config.LoginHashes is 0: 4 × 64 MiB of argon2id memory at most.
const DefaultLoginHashes = 4

// handleLogin answers POST /api/login. A wrong user name, a wrong password
// and a disabled account get the same 401. In order, before any hashing:
//
//   - the failure is reserved: the attempt counts as a failure of its
//     (name, address) pair and of its address from the moment it starts, so
//     100 simultaneous guesses are 5 tries and 95 answers 429, not 100 hashes
//     (loginLimiter); a success gives the reservation back;
//   - a slot of the hashing semaphore is taken without waiting: when
//     Config.LoginHashes hashes already run the answer is 503 at once;
//   - a refused login's audit row is written before the answer, a login's
//     in the transaction that creates the session.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := checkCSRF(r, nil); err != nil {
		return err
	}
	var b loginBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	name := strings.ToLower(strings.TrimSpace(b.Username))
	switch {
	case name == "":
		return errBad("username", "is required")
	case len(name) > hotspot.MaxUserName:
		return errBad("username", fmt.Sprintf("at most %d bytes", hotspot.MaxUserName))
	case len(b.Password) > hotspot.MaxPassword:
		return errBad("password", fmt.Sprintf("at most %d bytes", hotspot.MaxPassword))
	}
	addr := s.clientAddr(r)
	res, wait := s.limiter.reserve(name, addr)
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return errStatus(http.StatusTooManyRequests, "username", "too many failed logins; try again later")
	}
	select {
	case s.hashSlots <- struct{}{}:
	default:
		s.limiter.release(res)
		w.Header().Set("Retry-After", "1")
		return errStatus(http.StatusServiceUnavailable, "password", "too many logins at once; try again in a second")
	}
	s.hashes.Add(1)
	u, err := s.store.Authenticate(r.Context(), name, b.Password)
	<-s.hashSlots
	if errors.Is(err, hotspot.ErrBadCredentials) {
		if s.limiter.locked(res) { // once per lockout, not per refused try
			if err := s.appendAudit(r, s.sessionEntry(r, "session.login_locked", nil)); err != nil {
				return err
			}
		}
		if err := s.appendAudit(r, s.sessionEntry(r, "session.login_refused", nil)); err != nil {
			return err // no 401 without its row
		}
		return errStatus(http.StatusUnauthorized, "password", err.Error())
	}
	if err != nil {
		s.limiter.release(res)
		return err
	}
	s.limiter.succeed(res)
	ctx := store.WithAudit(r.Context(), &store.PendingAudit{Entry: s.sessionEntry(r, "session.login", u)})
	token, exp, err := s.store.CreateSession(ctx, u, s.sessionTTL())
	if err != nil {
		return err
	}
	csrf := randomToken()
	secure := s.secure(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", Expires: exp, HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", Expires: exp, Secure: secure, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, loginAnswer{Token: token, CSRF: csrf, Expires: exp, User: u})
	return nil
}

// handleLogout answers POST /api/logout: the session ends (its audit row in
// the same transaction), the cookies go. A body, when sent, must be {}.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength != 0 {
		var none struct{}
		if err := decodeBody(r, &none); err != nil && !isEmptyBody(err) {
			return err
		}
	}
	p, _ := r.Context().Value(principalKey).(*principal)
	if p != nil {
		ctx := store.WithAudit(r.Context(), &store.PendingAudit{Entry: s.sessionEntry(r, "session.logout", p.user)})
		if err := s.store.EndSession(ctx, p.token); err != nil {
			return err
		}
	}
	for _, name := range []string{sessionCookie, csrfCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: name == sessionCookie, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// isEmptyBody reports whether err refused a body of nothing at all (a
// logout may send none).
func isEmptyBody(err error) bool {
	var br *badRequest
	return errors.As(err, &br) && br.msg == msgEmptyBody
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

// loginLimiter counts failed logins per (user name, address) pair and per
// address, with exponential back-off: after perPair failures of one pair
// it must wait base, then twice as long after each further failure (up to
// maxWait); after perAddr failures from one address, whatever the names,
// likewise. A name alone is never locked: an outsider guessing an
// officer's password from elsewhere locks out only their own address, and
// the officer logs in from theirs. Failures are forgotten after forget
// without one.
//
// An attempt is reserved as a failure before its password is hashed
// (reserve), so simultaneous attempts cannot all pass the check; a
// success or an attempt that never reached the hash gives it back.
//
// It lives in memory: each `diaban serve` instance counts on its own, so
// behind a balancer with N instances an attacker gets up to N times the
// budget (README.md, Security).
type loginLimiter struct {
	mu      sync.Mutex
	perPair int
	perAddr int
	base    time.Duration
	maxWait time.Duration
	forget  time.Duration
	counts  map[string]*failCount
	now     func() time.Time
}

type failCount struct {
	n     int
	last  time.Time
	until time.Time // blocked until
}

// reservation is one login attempt counted in advance.
type reservation struct {
	keys   [2]string
	locked bool // this attempt started a lockout
}

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{perPair: 5, perAddr: 20, base: 30 * time.Second, maxWait: time.Hour, forget: 24 * time.Hour,
		counts: map[string]*failCount{}, now: time.Now}
}

func (l *loginLimiter) keys(name, addr string) [2]string {
	return [2]string{"p:" + name + "\x00" + addr, "a:" + addr}
}

func (l *loginLimiter) limit(key string) int {
	if strings.HasPrefix(key, "a:") {
		return l.perAddr
	}
	return l.perPair
}

// reserve counts an attempt of name from addr as a failure and returns
// it, or returns how long the pair or the address must still wait.
func (l *loginLimiter) reserve(name, addr string) (*reservation, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	res := &reservation{keys: l.keys(name, addr)}
	var wait time.Duration
	for _, k := range res.keys {
		if f, ok := l.counts[k]; ok {
			if now.Sub(f.last) > l.forget && !now.Before(f.until) {
				delete(l.counts, k)
			} else if d := f.until.Sub(now); d > wait {
				wait = d
			}
		}
	}
	if wait > 0 {
		return nil, wait
	}
	if len(l.counts) > 100000 { // a flood of names: forget the stale ones
		for k, f := range l.counts {
			if now.Sub(f.last) > l.base && !now.Before(f.until) && f.n < l.limit(k) {
				delete(l.counts, k)
			}
		}
	}
	for _, k := range res.keys {
		f, ok := l.counts[k]
		if !ok {
			f = &failCount{}
			l.counts[k] = f
		}
		f.n++
		f.last = now
		if over := f.n - l.limit(k); over >= 0 {
			d := l.base << min(over, 20)
			if d > l.maxWait || d <= 0 {
				d = l.maxWait
			}
			f.until = now.Add(d)
			res.locked = true
		}
	}
	return res, 0
}

// release gives back an attempt that never reached the hash (or failed
// for another reason than the password).
func (l *loginLimiter) release(res *reservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range res.keys {
		if f, ok := l.counts[k]; ok && f.n > 0 {
			f.n--
			if f.n < l.limit(k) {
				f.until = time.Time{}
			}
		}
	}
}

// succeed ends a pair's failures (a right password from that address), and
// gives back the address's reserved attempt.
func (l *loginLimiter) succeed(res *reservation) {
	l.mu.Lock()
	delete(l.counts, res.keys[0])
	l.mu.Unlock()
	l.release(&reservation{keys: [2]string{"", res.keys[1]}})
}

// locked reports whether this failed attempt started a lockout.
func (l *loginLimiter) locked(res *reservation) bool { return res.locked }
