package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"trellis"
)

// The inbox: a person's notifications, newest first, with the unread count
// in the header and marking read.

type inboxRow struct {
	N      *trellis.Notification
	URL    string
	Unread bool
}

type inboxView struct {
	Rows   []inboxRow
	Unread int
	Only   bool
	Notice string
}

func (s *Server) needInbox() error {
	if s.notifications == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "The inbox is not available on this server.")
	}
	return nil
}

// unreadCounter is the fast count a store may offer.
type unreadCounter interface {
	CountUnread(ctx context.Context, personID int64) (int, error)
}

// unreadCount is the number beside the inbox link; 0 when unknown.
func (s *Server) unreadCount(ctx context.Context, personID int64) int {
	if s.notifications == nil {
		return 0
	}
	if c, ok := s.notifications.(unreadCounter); ok {
		n, err := c.CountUnread(ctx, personID)
		if err != nil {
			return 0
		}
		return n
	}
	list, err := s.notifications.ListNotifications(ctx, personID, true, trellis.MaxListLimit)
	if err != nil {
		return 0
	}
	return len(list)
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needInbox(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	me := s.actor(r).Person
	only := r.URL.Query().Get("unread") != ""
	list, err := s.notifications.ListNotifications(ctx, me.ID, only, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := inboxView{Only: only}
	for _, n := range list {
		row := inboxRow{N: n, Unread: n.ReadAt == nil}
		if u := localPath(n.URL); u != "/" || n.URL == "/" {
			row.URL = u
		}
		if row.Unread {
			v.Unread++
		}
		v.Rows = append(v.Rows, row)
	}
	if r.URL.Query().Get("read") != "" {
		v.Notice = "Marked as read."
	}
	s.render(w, r, http.StatusOK, "inbox", layoutPage("Inbox", "inbox", v))
}

// markReadSubmit marks the chosen notifications read, or all of them; a
// notification with a link then opens it.
func (s *Server) markReadSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needInbox(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	me := s.actor(r).Person
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "Choose notifications from the list.",
				Details: []trellis.FieldError{{Field: "id", Message: "not a notification id"}}})
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 && r.PostFormValue("all") == "" {
		s.fail(w, r, withHint(&trellis.Error{Code: trellis.EINVALID, Message: "Choose the notifications to mark as read.",
			Details: []trellis.FieldError{{Field: "id", Message: "none chosen"}}}, "Back", []link{{"Inbox", "/inbox"}}))
		return
	}
	if err := s.notifications.MarkRead(r.Context(), me.ID, ids); err != nil {
		s.fail(w, r, err)
		return
	}
	if next := r.PostFormValue("next"); next != "" && localPath(next) == next {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/inbox?read=1", http.StatusSeeOther)
}
