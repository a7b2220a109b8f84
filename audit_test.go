package trellis

import (
	"slices"
	"testing"
	"time"
)

func TestAuditActionsAreWellFormedAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range AuditActions {
		e := &AuditEvent{At: time.Unix(1, 0), Action: a, ActorLabel: "system"}
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", a, err)
		}
		if seen[a] {
			t.Errorf("%s listed twice", a)
		}
		seen[a] = true
	}
	for _, a := range []string{"signin", "signin.failed", "person.role_changed", "person.manager_changed", "visibility.changed",
		"framework.imported", "framework.activated", "export", "token.created", "token.revoked", "reset_link.used"} {
		if !seen[a] {
			t.Errorf("the issue's action %q is missing", a)
		}
	}
}

func TestAuditEventValidate(t *testing.T) {
	id := int64(3)
	ok := AuditEvent{At: time.Unix(1, 0), ActorID: &id, ActorLabel: "ada@example.com", Action: AuditRoleChanged,
		TargetType: AuditTargetPerson, TargetID: "4", Before: map[string]any{"role": "senior"}, After: map[string]any{"role": "staff"}, IP: "192.0.2.1"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field string
		edit  func(e *AuditEvent)
	}{
		{"at", func(e *AuditEvent) { e.At = time.Time{} }},
		{"action", func(e *AuditEvent) { e.Action = "" }},
		{"action", func(e *AuditEvent) { e.Action = "Person.Changed" }},
		{"action", func(e *AuditEvent) { e.Action = "person." }},
		{"actor_label", func(e *AuditEvent) { e.ActorLabel = "" }},
		{"target_type", func(e *AuditEvent) { e.TargetType = "" }},
		{"ip", func(e *AuditEvent) { e.IP = string(make([]byte, 65)) }},
	} {
		e := ok
		tc.edit(&e)
		err := e.Validate()
		d := ErrorDetails(err)
		if ErrorCode(err) != EINVALID || len(d) != 1 || d[0].Field != tc.field {
			t.Errorf("%s: %v %+v", tc.field, err, d)
		}
	}
}

func TestAuditFilterMatches(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	one, two := int64(1), int64(2)
	events := []*AuditEvent{
		{ID: 1, At: t0, Action: AuditSignin, ActorID: &one},
		{ID: 2, At: t0.Add(time.Minute), Action: AuditSigninFailed, TargetType: AuditTargetAccount, TargetID: "x@example.com"},
		{ID: 3, At: t0.Add(2 * time.Minute), Action: AuditRoleChanged, ActorID: &two, TargetType: AuditTargetPerson, TargetID: "1"},
		{ID: 4, At: t0.Add(3 * time.Minute), Action: AuditManagerChanged, ActorID: &two, TargetType: AuditTargetPerson, TargetID: "5"},
	}
	for _, tc := range []struct {
		name string
		f    AuditFilter
		want []int64
	}{
		{"all", AuditFilter{}, []int64{1, 2, 3, 4}},
		{"since inclusive", AuditFilter{Since: t0.Add(time.Minute)}, []int64{2, 3, 4}},
		{"until exclusive", AuditFilter{Until: t0.Add(time.Minute)}, []int64{1}},
		{"exact action", AuditFilter{Action: "signin"}, []int64{1}},
		{"family", AuditFilter{Action: "person."}, []int64{3, 4}},
		{"family is not a prefix of words", AuditFilter{Action: "sign."}, nil},
		{"actor", AuditFilter{ActorID: &two}, []int64{3, 4}},
		{"target", AuditFilter{TargetType: AuditTargetPerson, TargetID: "5"}, []int64{4}},
	} {
		var got []int64
		for _, e := range events {
			if tc.f.Matches(e) {
				got = append(got, e.ID)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
