package trellis

import (
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOpeningFiveDayRule(t *testing.T) {
	o := &Opening{RoleID: "support-manager", HiringManagerID: 1, OpensOn: day("2026-12-01"), ClosesOn: day("2026-12-04")}
	err := o.Validate()
	if ErrorCode(err) != ERULE {
		t.Fatalf("closing after 3 days: %v", err)
	}
	for _, want := range []string{"2026-12-01", "2026-12-04", "2026-12-06"} {
		if !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("message %q does not name %s", ErrorMessage(err), want)
		}
	}
	o.ClosesOn = day("2026-12-06")
	if err := o.Validate(); err != nil {
		t.Fatalf("five days: %v", err)
	}
	if o.State != OpeningOpen || o.Arrangement != ArrangementPermanent {
		t.Errorf("defaults: %q %q", o.State, o.Arrangement)
	}
	if !o.IsOpenOn(day("2026-12-06").Add(20*time.Hour)) || o.IsOpenOn(day("2026-12-07")) || o.IsOpenOn(day("2026-11-30")) {
		t.Error("IsOpenOn")
	}
	bad := &Opening{Arrangement: "forever"}
	if err := bad.Validate(); ErrorCode(err) != EINVALID || len(ErrorDetails(err)) < 4 {
		t.Errorf("empty opening: %v %v", err, ErrorDetails(err))
	}
}

func TestSubscriptionMatches(t *testing.T) {
	o := &Opening{RoleID: "support-manager", Track: "management"}
	for s, want := range map[*OpeningSubscription]bool{
		{RoleID: "support-manager"}:  true,
		{Track: "management"}:        true,
		{RoleID: "support-engineer"}: false,
		{Track: "ic"}:                false,
	} {
		if s.Matches(o) != want {
			t.Errorf("%+v matches: %v", s, !want)
		}
	}
}
