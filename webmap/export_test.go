package webmap

import (
	"net/http/httptest"
	"sort"
	"strings"
)

// BodyRoutes lists the policy's routes that take a request body (every
// write: POST, PUT, PATCH, DELETE), and for each whether its area comes
// from the body.
func BodyRoutes() map[string]bool {
	out := map[string]bool{}
	for pattern, ru := range policy {
		if method, _, _ := strings.Cut(pattern, " "); method != "GET" && method != "HEAD" {
			out[pattern] = ru.scope == scopeBody
		}
	}
	return out
}

// SortedBodyRoutes is BodyRoutes' keys in order.
func SortedBodyRoutes() []string {
	var out []string
	for p := range BodyRoutes() {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// PasswordHashes counts the password hashes the server has started.
func (s *Server) PasswordHashes() int64 { return s.hashes.Load() }

// HoldHashSlots takes n places of the hashing semaphore until the returned
// func is called.
func (s *Server) HoldHashSlots(n int) func() {
	for i := 0; i < n; i++ {
		s.hashSlots <- struct{}{}
	}
	return func() {
		for i := 0; i < n; i++ {
			<-s.hashSlots
		}
	}
}

// HoldAnalyses takes n places of user's analyses until the returned func
// is called.
func (s *Server) HoldAnalyses(user string, n int) func() {
	var done []func()
	for i := 0; i < n; i++ {
		d, err := s.analyses.enter(user, httptest.NewRecorder())
		if err != nil {
			panic(err)
		}
		done = append(done, d)
	}
	return func() {
		for _, d := range done {
			d()
		}
	}
}

// AnalysesRunning counts the analyses holding a place in the gate.
func (s *Server) AnalysesRunning() int {
	s.analyses.mu.Lock()
	defer s.analyses.mu.Unlock()
	return s.analyses.running
}
