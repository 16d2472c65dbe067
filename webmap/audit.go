package webmap

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
	"github.com/diaban/diaban/hotspot/store"
)

// The audit log. Every audited route (rule.audit in authz.go) puts a
// pending entry — who, role, action, address — on the request's context; the
// store's write appends it, with the ids and area it touched, inside the
// write's own transaction (store.WithAudit), so a write and its audit row
// land together or not at all. A successful audited request that wrote
// nothing through a transaction (a read: an export, the metrics) appends its
// row when it starts its answer and before the first byte of it: when the
// row cannot be written the answer is a 500 and nothing is disclosed. Logins
// and logouts write theirs in the session's own transaction; refused logins
// before their 401. No audit row is written after its answer.

// auditWriter writes the pending audit row of a read before its answer.
type auditWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	pending *store.PendingAudit
	status  int
	failed  bool // the row could not be written: the answer became a 500
}

func (w *auditWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if code >= 200 && code <= 299 && !w.pending.Written {
		e := &w.pending.Entry
		if e.Area == "" {
			e.Area = firstNonEmpty(w.r.URL.Query().Get("area"), w.r.URL.Query().Get("parent"), w.r.PathValue("code"))
		}
		if err := w.s.appendAudit(w.r, *e); err != nil {
			w.failed = true
			w.s.log.Error("audit row not written: answer withheld", "action", e.Action, "user", e.User, "err", err)
			h := w.Header()
			h.Del("Content-Disposition")
			h.Del("Content-Length")
			writeJSON(w.ResponseWriter, http.StatusInternalServerError, apiError{Error: "internal error"})
			return
		}
		w.pending.Written = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *auditWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return 0, errAuditFailed
	}
	return w.ResponseWriter.Write(b)
}

var errAuditFailed = errors.New("audit row not written")

// audited runs next with a pending audit entry: a write appends it in its
// transaction, a read when it starts its answer (auditWriter).
func (s *Server) audited(w http.ResponseWriter, r *http.Request, action string, u *hotspot.User, next http.HandlerFunc) {
	e := store.AuditEntry{User: u.Name, Role: string(u.Role), Action: action, Address: s.clientAddr(r), Detail: r.Method + " " + r.URL.Path}
	if r.URL.RawQuery != "" && r.Method == http.MethodGet {
		e.Detail += "?" + r.URL.RawQuery
	}
	pending := &store.PendingAudit{Entry: e}
	next(&auditWriter{ResponseWriter: w, s: s, r: r, pending: pending}, r.WithContext(store.WithAudit(r.Context(), pending)))
}

// auditTimeout bounds the writing of an audit row the answer waits for.
const auditTimeout = 30 * time.Second

// appendAudit writes an audit row on its own, before the answer that
// waits for it. A client that hangs up does not cancel it.
func (s *Server) appendAudit(r *http.Request, e store.AuditEntry) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
	defer cancel()
	return s.store.AppendAudit(ctx, e)
}

// sessionEntry is the audit entry of a login, a refused login or a logout.
// A refused login names no user (what was typed may be anything, a password
// even); the address and the time are what an investigation of guessing
// needs.
func (s *Server) sessionEntry(r *http.Request, action string, u *hotspot.User) store.AuditEntry {
	e := store.AuditEntry{Action: action, Address: s.clientAddr(r), Detail: r.Method + " " + r.URL.Path}
	if u != nil {
		e.User, e.Role, e.Area = u.Name, string(u.Role), u.Scope
	}
	return e
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
