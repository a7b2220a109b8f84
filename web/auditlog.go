package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// The audit log page and API: for admins and people partners, as the
// policy's audit-log rows say (the routes declare it).

// auditFamilies are the prefixes of AuditActions that name more than one
// action ("person." selects every person change).
func auditFamilies() []string {
	count := map[string]int{}
	var out []string
	for _, a := range trellis.AuditActions {
		if i := strings.IndexByte(a, '.'); i > 0 {
			f := a[:i+1]
			if count[f] == 0 {
				out = append(out, f)
			}
			count[f]++
		}
	}
	return slices.DeleteFunc(out, func(f string) bool { return count[f] < 2 })
}

// auditTargetTypes lists the target types the log uses.
var auditTargetTypes = []string{trellis.AuditTargetPerson, trellis.AuditTargetFramework, trellis.AuditTargetEvidence,
	trellis.AuditTargetDocument, trellis.AuditTargetToken, trellis.AuditTargetAuditLog, trellis.AuditTargetSession,
	trellis.AuditTargetResetLink, trellis.AuditTargetAccount}

type auditChange struct {
	Field, Before, After string
}

type auditRow struct {
	E           *trellis.AuditEvent
	ActorURL    string
	TargetLabel string
	TargetURL   string
	Changes     []auditChange
}

type auditView struct {
	Since, Until, Action, Actor, TargetType, TargetID string
	Actions, Families, TargetTypes                    []string
	Rows                                              []auditRow
	Next, First                                       string
	Message                                           string
	Errors                                            map[string]string
}

func (v auditView) pageURL(cursor string) string {
	q := url.Values{}
	for k, val := range map[string]string{"since": v.Since, "until": v.Until, "action": v.Action, "actor": v.Actor,
		"target_type": v.TargetType, "target_id": v.TargetID, "cursor": cursor} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if len(q) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + q.Encode()
}

// parseDay reads a YYYY-MM-DD day (UTC) or an RFC 3339 time.
func parseDay(s string) (time.Time, bool, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, false, err
}

// auditFilterOf reads the filters shared by the page and the API. Dates
// are UTC days and both ends are included; times are exact.
func (s *Server) auditFilterOf(ctx context.Context, q url.Values, actorParam string) (trellis.AuditFilter, error) {
	var f trellis.AuditFilter
	var problems []trellis.FieldError
	add := func(field, format string, args ...any) {
		problems = append(problems, trellis.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if v := strings.TrimSpace(q.Get("since")); v != "" {
		t, _, err := parseDay(v)
		if err != nil {
			add("since", "%q is not a date (YYYY-MM-DD) or time (RFC 3339)", v)
		}
		f.Since = t
	}
	if v := strings.TrimSpace(q.Get("until")); v != "" {
		t, day, err := parseDay(v)
		if err != nil {
			add("until", "%q is not a date (YYYY-MM-DD) or time (RFC 3339)", v)
		} else if day {
			t = t.AddDate(0, 0, 1) // the whole day
		}
		f.Until = t
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		add("until", "the end must come after the start")
	}
	f.Action = strings.TrimSpace(q.Get("action"))
	if f.Action != "" && (len(f.Action) > 64 || strings.Trim(f.Action, "abcdefghijklmnopqrstuvwxyz_.") != "") {
		add("action", "%q is not an action or a family such as person.", f.Action)
	}
	if v := strings.TrimSpace(q.Get(actorParam)); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.ActorID = &id
		} else if actorParam == "actor_id" {
			add(actorParam, "%q is not a person's id", v)
		} else {
			p, err := s.people.FindPersonByEmail(ctx, v)
			switch {
			case trellis.ErrorCode(err) == trellis.ENOTFOUND:
				add(actorParam, "nobody has the email %s", trellis.NormalizeEmail(v))
			case err != nil:
				return f, err
			default:
				f.ActorID = &p.ID
			}
		}
	}
	f.TargetType = strings.TrimSpace(q.Get("target_type"))
	f.TargetID = strings.TrimSpace(q.Get("target_id"))
	f.Cursor = q.Get("cursor")
	if len(problems) > 0 {
		return f, &trellis.Error{Code: trellis.EINVALID, Message: "Some filters need another look.", Details: problems}
	}
	return f, nil
}

// formatAuditValue renders a before/after value for people.
func formatAuditValue(v any, ok bool) string {
	if !ok || v == nil {
		return "—"
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return "(empty)"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatAuditValue(e, true)
		}
		if len(parts) == 0 {
			return "(none)"
		}
		return strings.Join(parts, ", ")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func auditChanges(e *trellis.AuditEvent) []auditChange {
	keys := map[string]bool{}
	for k := range e.Before {
		keys[k] = true
	}
	for k := range e.After {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]auditChange, len(names))
	for i, k := range names {
		b, okB := e.Before[k]
		a, okA := e.After[k]
		out[i] = auditChange{Field: strings.ReplaceAll(k, "_", " "), Before: formatAuditValue(b, okB), After: formatAuditValue(a, okA)}
	}
	return out
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	v := auditView{Since: q.Get("since"), Until: q.Get("until"), Action: q.Get("action"), Actor: q.Get("actor"),
		TargetType: q.Get("target_type"), TargetID: q.Get("target_id"),
		Actions: trellis.AuditActions, Families: auditFamilies(), TargetTypes: auditTargetTypes}
	f, err := s.auditFilterOf(ctx, q, "actor")
	if err != nil {
		if trellis.ErrorCode(err) != trellis.EINVALID {
			s.fail(w, r, err)
			return
		}
		v.Message = trellis.ErrorMessage(err)
		v.Errors = map[string]string{}
		for _, d := range trellis.ErrorDetails(err) {
			v.Errors[d.Field] = d.Message
		}
		s.render(w, r, http.StatusBadRequest, "audit", layoutPage("Audit log", "audit", v))
		return
	}
	f.Limit = 50
	page, err := s.auditLog.ListAudit(ctx, f)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.EINVALID && f.Cursor != "" {
			err = withHint(err, "Start again", []link{{"First page", v.pageURL("")}})
		}
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	nameOf := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if p, err := s.people.FindPerson(ctx, id); err == nil {
			n = p.Name
		}
		names[id] = n
		return n
	}
	for _, e := range page.Items {
		row := auditRow{E: e, Changes: auditChanges(e), TargetLabel: e.TargetID}
		if e.ActorID != nil {
			row.ActorURL = personURL(*e.ActorID)
		}
		if e.TargetType == trellis.AuditTargetPerson {
			if id, err := strconv.ParseInt(e.TargetID, 10, 64); err == nil {
				row.TargetURL = personURL(id)
				if n := nameOf(id); n != "" {
					row.TargetLabel = n
				}
			}
		}
		v.Rows = append(v.Rows, row)
	}
	if page.NextCursor != "" {
		v.Next = v.pageURL(page.NextCursor)
	}
	if f.Cursor != "" {
		v.First = v.pageURL("")
	}
	s.render(w, r, http.StatusOK, "audit", layoutPage("Audit log", "audit", v))
}

// apiListAudit returns one page of the audit log, newest first.
func (s *Server) apiListAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := s.auditFilterOf(r.Context(), q, "actor_id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f.Limit, err = apiLimit(q); err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.auditLog.ListAudit(r.Context(), f)
	if err != nil {
		s.fail(w, r, cursorError(err, f.Cursor))
		return
	}
	writeJSON(w, http.StatusOK, page)
}
