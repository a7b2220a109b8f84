package trellis

import (
	"testing"
	"time"
)

func TestProgrammeEntryRule(t *testing.T) {
	p := &Programme{Name: "Aspiring leaders", MinMonthsInRole: 12, ManagerApproval: true}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	now := day("2026-11-27")
	if err := p.CheckEntry(&Person{Name: "New", RoleSince: day("2026-03-01")}, now); ErrorCode(err) != ERULE {
		t.Errorf("eight months in role: %v", err)
	}
	if err := p.CheckEntry(&Person{Name: "Unknown"}, now); ErrorCode(err) != ERULE {
		t.Errorf("unknown start: %v", err)
	}
	if err := p.CheckEntry(&Person{Name: "Old", RoleSince: day("2025-11-27")}, now); err != nil {
		t.Errorf("twelve months: %v", err)
	}
}

func TestAssignmentDates(t *testing.T) {
	for _, tc := range []struct {
		kind, from, to string
		code           string
	}{
		{ArrangementInterim, "2026-01-01", "2026-01-30", ERULE}, // 29 days
		{ArrangementInterim, "2026-01-01", "2026-01-31", ""},    // 30 days
		{ArrangementInterim, "2026-01-01", "2026-07-01", ""},    // six months
		{ArrangementInterim, "2026-01-01", "2026-07-02", ERULE}, // longer
		{ArrangementActing, "2026-01-01", "2026-01-10", ""},     // acting: any length
		{ArrangementActing, "2026-01-10", "2026-01-10", ERULE},  // ends before it starts
		{"secondment", "2026-01-01", "2026-03-01", EINVALID},    // unknown kind
	} {
		a := &Assignment{Kind: tc.kind, RoleID: "support-manager", StartsOn: day(tc.from), EndsOn: day(tc.to), ReturnRoleID: "elsewhere"}
		err := a.Validate("support-engineer")
		if ErrorCode(err) != tc.code {
			t.Errorf("%s %s..%s: %v, want %q", tc.kind, tc.from, tc.to, err, tc.code)
		}
		if err == nil && tc.kind == ArrangementActing && a.ReturnRoleID != "support-engineer" {
			t.Errorf("acting returns to %q", a.ReturnRoleID)
		}
	}
	_ = time.Now
}
