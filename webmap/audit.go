package webmap

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// The audit log. Every audited route (rule.audit in authz.go) puts a
// pending entry — who, role, action, address — on the request's context; the
// store's write appends it, with the ids and area it touched, inside the
// write's own transaction (hotspot.WithAudit), so a write and its audit row
// land together or not at all. A successful audited request that wrote
// nothing through a transaction (a CSV export) appends its row afterwards.

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// audited runs next with a pending audit entry and makes sure a successful
// request leaves exactly one row.
func (s *Server) audited(w http.ResponseWriter, r *http.Request, action string, u *hotspot.User, next http.HandlerFunc) {
	e := store.AuditEntry{User: u.Name, Role: string(u.Role), Action: action, Address: s.clientAddr(r), Detail: r.Method + " " + r.URL.Path}
	if r.URL.RawQuery != "" && r.Method == http.MethodGet {
		e.Detail += "?" + r.URL.RawQuery
	}
	pending := &store.PendingAudit{Entry: e}
	rec := &statusRecorder{ResponseWriter: w}
	next(rec, r.WithContext(store.WithAudit(r.Context(), pending)))
	if rec.status < 200 || rec.status > 299 || pending.Written {
		return
	}
	e = pending.Entry
	if e.Area == "" {
		e.Area = firstNonEmpty(r.URL.Query().Get("area"), r.URL.Query().Get("parent"), r.PathValue("code"))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.Error("audit row lost", "action", action, "user", u.Name, "err", err)
	}
}

// auditSession records a login, a refused login or a logout. A refused
// login names no user (what was typed may be anything, a password even); the
// address and the time are what an investigation of guessing needs.
func (s *Server) auditSession(r *http.Request, action string, u *hotspot.User) {
	e := store.AuditEntry{User: "", Role: "", Action: action, Address: s.clientAddr(r), Detail: r.Method + " " + r.URL.Path}
	if u != nil {
		e.User, e.Role, e.Area = u.Name, string(u.Role), u.Scope
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.Error("audit row lost", "action", action, "err", err)
	}
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// handleAudit answers GET /api/audit?user=&action=&before=&limit= (admins).
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	f := store.AuditFilter{User: r.URL.Query().Get("user"), Action: strings.TrimSpace(r.URL.Query().Get("action"))}
	var err error
	before, err := queryInt(r, "before", 0)
	if err == nil {
		f.Limit, err = queryInt(r, "limit", 200)
	}
	if err == nil && (f.Limit < 1 || f.Limit > 1000) {
		err = errBad("limit", "must be between 1 and 1000")
	}
	if err != nil {
		return err
	}
	f.Before = int64(before)
	list, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
	return nil
}
