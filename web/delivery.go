package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"trellis"
)

// Notification settings (a person's channels, muted kinds and digest) and
// the admins' page of deliveries that failed or wait for a retry.

func (s *Server) needDeliveries() error {
	if s.deliveries == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "Notification delivery is not available on this server.")
	}
	return nil
}

type prefsKind struct {
	Kind, Label string
	Muted       bool
}

type prefsView struct {
	Prefs   *trellis.NotificationPrefs
	Kinds   []prefsKind
	Saved   bool
	Message string
	Details []trellis.FieldError
}

func (s *Server) renderPrefs(w http.ResponseWriter, r *http.Request, status int, v prefsView) {
	for _, k := range trellis.NotificationKinds {
		v.Kinds = append(v.Kinds, prefsKind{Kind: k.Kind, Label: k.Label, Muted: v.Prefs.Mutes(k.Kind)})
	}
	s.render(w, r, status, "notification_settings", layoutPage("Notification settings", "inbox", v))
}

func (s *Server) prefsPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needDeliveries(); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.deliveries.NotificationPrefs(r.Context(), s.actor(r).Person.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPrefs(w, r, http.StatusOK, prefsView{Prefs: p, Saved: r.URL.Query().Get("saved") != ""})
}

func (s *Server) prefsSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.needDeliveries(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	p := &trellis.NotificationPrefs{
		PersonID:   s.actor(r).Person.ID,
		Email:      r.PostFormValue("email") != "",
		Digest:     r.PostFormValue("digest") != "",
		WebhookURL: r.PostFormValue("webhook_url"),
		Muted:      r.PostForm["muted"],
	}
	if err := s.deliveries.SetNotificationPrefs(r.Context(), p); err != nil {
		if trellis.ErrorCode(err) != trellis.EINVALID {
			s.fail(w, r, err)
			return
		}
		s.renderPrefs(w, r, http.StatusBadRequest, prefsView{Prefs: p, Message: trellis.ErrorMessage(err), Details: trellis.ErrorDetails(err)})
		return
	}
	http.Redirect(w, r, "/settings/notifications?saved=1", http.StatusSeeOther)
}

func (s *Server) apiGetPrefs(w http.ResponseWriter, r *http.Request) {
	if err := s.needDeliveries(); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.deliveries.NotificationPrefs(r.Context(), s.actor(r).Person.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// apiPutPrefs replaces the caller's preferences with the body's.
func (s *Server) apiPutPrefs(w http.ResponseWriter, r *http.Request) {
	if err := s.needDeliveries(); err != nil {
		s.fail(w, r, err)
		return
	}
	var body struct {
		Email      *bool    `json:"email"`
		Digest     bool     `json:"digest"`
		WebhookURL string   `json:"webhook_url"`
		Muted      []string `json:"muted"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "The body must be a JSON object with email, digest, webhook_url and muted.",
			Details: []trellis.FieldError{{Field: "body", Message: err.Error()}}})
		return
	}
	if body.Email == nil {
		s.fail(w, r, &trellis.Error{Code: trellis.EINVALID, Message: "The notification settings are not valid.",
			Details: []trellis.FieldError{{Field: "email", Message: "say whether to send e-mail: true or false"}}})
		return
	}
	p := &trellis.NotificationPrefs{PersonID: s.actor(r).Person.ID, Email: *body.Email, Digest: body.Digest, WebhookURL: body.WebhookURL, Muted: body.Muted}
	if err := s.deliveries.SetNotificationPrefs(r.Context(), p); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

type deliveriesView struct {
	Rows   []*trellis.Delivery
	Notice string
}

// deliveriesPage shows the deliveries that failed for good and those
// waiting for a retry, with their last error, newest first.
func (s *Server) deliveriesPage(w http.ResponseWriter, r *http.Request) {
	if err := s.needDeliveries(); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.deliveries.ListDeliveries(r.Context(), []string{trellis.DeliveryFailed, trellis.DeliveryPending, trellis.DeliverySending}, 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := deliveriesView{}
	for _, d := range list {
		if d.Status == trellis.DeliveryFailed || d.Attempts > 0 {
			v.Rows = append(v.Rows, d)
		}
	}
	if r.URL.Query().Get("retried") != "" {
		v.Notice = "The delivery will be sent at the next run, within a minute."
	}
	s.render(w, r, http.StatusOK, "deliveries", layoutPage("Deliveries", "deliveries", v))
}

func (s *Server) deliveryRetry(w http.ResponseWriter, r *http.Request) {
	if err := s.needDeliveries(); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, trellis.Errorf(trellis.ENOTFOUND, "No such delivery."))
		return
	}
	if err := s.deliveries.RetryDelivery(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/deliveries?retried=1", http.StatusSeeOther)
}
