package webmap

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/diaban/diaban/hotspot"
)

// The audit log. Every audited route (rule.audit in authz.go) appends one
// row after the handler answered with a success: who, role, action, the
// ids the handler noted, the area, the address. The row is written right
// after the write's own transaction commits, not inside it: a crash in
// between would lose the row (logged as an error when the insert fails).
// Putting it inside needs the store's write methods to take the entry,
// which is the next step with row-level security (README.md).

// auditNote is what a handler tells the audit about its write.
type auditNote struct {
	ids  []int64
	area string
}

// noteAudit records the ids and area a write touched, for its audit row.
func noteAudit(r *http.Request, area string, ids ...int64) {
	if n, ok := r.Context().Value(auditKey).(*auditNote); ok {
		n.ids = append(n.ids, ids...)
		if n.area == "" {
			n.area = area
		}
	}
}

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

// audited runs next and appends the audit row when it succeeded.
func (s *Server) audited(w http.ResponseWriter, r *http.Request, action string, u *hotspot.User, next http.HandlerFunc) {
	note := &auditNote{}
	rec := &statusRecorder{ResponseWriter: w}
	next(rec, r.WithContext(context.WithValue(r.Context(), auditKey, note)))
	if rec.status < 200 || rec.status > 299 {
		return
	}
	area := note.area
	if area == "" {
		area = firstNonEmpty(r.URL.Query().Get("area"), r.URL.Query().Get("parent"), r.PathValue("code"))
	}
	e := hotspot.AuditEntry{User: u.Name, Role: string(u.Role), Action: action, EntityIDs: note.ids, Area: area,
		Address: s.clientAddr(r), Detail: r.Method + " " + r.URL.Path}
	if r.URL.RawQuery != "" && r.Method == http.MethodGet {
		e.Detail += "?" + r.URL.RawQuery
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.Error("audit row lost", "action", action, "user", u.Name, "ids", note.ids, "err", err)
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
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	f := hotspot.AuditFilter{User: r.URL.Query().Get("user"), Action: strings.TrimSpace(r.URL.Query().Get("action"))}
	var err error
	before, err := queryInt(r, "before", 0)
	if err == nil {
		f.Limit, err = queryInt(r, "limit", 200)
	}
	if err == nil && (f.Limit < 1 || f.Limit > 1000) {
		err = errBad("limit", "must be between 1 and 1000")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Before = int64(before)
	list, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []hotspot.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}
