package trellis_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
)

var (
	supportOnce sync.Once
	supportFW   *trellis.Framework
	supportErr  error
)

// support returns the default support framework, parsed once; tests must
// not change it.
func support(t testing.TB) *trellis.Framework {
	t.Helper()
	supportOnce.Do(func() { supportFW, supportErr = defaults.Support() })
	if supportErr != nil {
		t.Fatal(supportErr)
	}
	return supportFW
}

var today = time.Date(2026, 3, 15, 17, 30, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// details returns field -> messages joined, and fails unless err is an
// EINVALID *trellis.Error.
func details(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	if trellis.ErrorCode(err) != trellis.EINVALID {
		t.Fatalf("error code = %q, want %q (%v)", trellis.ErrorCode(err), trellis.EINVALID, err)
	}
	out := map[string]string{}
	for _, d := range trellis.ErrorDetails(err) {
		if out[d.Field] != "" {
			out[d.Field] += " | "
		}
		out[d.Field] += d.Message
	}
	return out
}

// checkDetails asserts that exactly the fields of want are at fault, each
// message containing the wanted fragment.
func checkDetails(t *testing.T, err error, want map[string]string) {
	t.Helper()
	got := details(t, err)
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want valid, got %v %v", err, got)
		}
		return
	}
	if len(got) != len(want) {
		t.Errorf("fields at fault = %v, want %v", got, want)
	}
	for f, frag := range want {
		msg, ok := got[f]
		if !ok {
			t.Errorf("no problem reported for field %q; got %v", f, got)
			continue
		}
		if !strings.Contains(msg, frag) {
			t.Errorf("field %q: message %q does not contain %q", f, msg, frag)
		}
	}
}

func goodEvidence() trellis.Evidence {
	return trellis.Evidence{
		PersonID:     7,
		Date:         day("2026-03-10"),
		Title:        "Led the escalation for a customer's failing upgrade",
		What:         "Customer upgrade failed with a migration error.",
		Part:         "Directly responsible",
		Result:       "Resolved in 6 hours instead of the usual 2 days",
		Links:        []string{"https://tickets.example.com/123", "http://wiki.example.com/upgrade"},
		Competencies: []string{"troubleshooting", "incident-handling"},
		Activity:     "critical-escalation",
		Values:       []string{"results"},
		Visibility:   trellis.VisManager,
		FrameworkID:  "support",
	}
}

func TestEvidenceValidate(t *testing.T) {
	fw := support(t)
	tests := []struct {
		name   string
		change func(e *trellis.Evidence)
		want   map[string]string
	}{
		{"valid", func(e *trellis.Evidence) {}, nil},
		{"valid today", func(e *trellis.Evidence) { e.Date = day("2026-03-15") }, nil},
		{"valid minimal", func(e *trellis.Evidence) {
			*e = trellis.Evidence{Title: "x", Date: day("2026-01-01"), Visibility: trellis.VisPrivate}
		}, nil},
		{"valid range", func(e *trellis.Evidence) { e.EndDate = ptr(day("2026-03-12")) }, nil},
		{"title missing", func(e *trellis.Evidence) { e.Title = "  " }, map[string]string{"title": "required"}},
		{"title too long", func(e *trellis.Evidence) { e.Title = strings.Repeat("é", 201) }, map[string]string{"title": "at most 200"}},
		{"title 200 ok", func(e *trellis.Evidence) { e.Title = strings.Repeat("é", 200) }, nil},
		{"title line break", func(e *trellis.Evidence) { e.Title = "a\nb" }, map[string]string{"title": "one line"}},
		{"date missing", func(e *trellis.Evidence) { e.Date = time.Time{} }, map[string]string{"date": "required"}},
		{"date tomorrow", func(e *trellis.Evidence) { e.Date = day("2026-03-16") }, map[string]string{"date": "2026-03-16 is in the future; it may be today (2026-03-15)"}},
		{"end before date", func(e *trellis.Evidence) { e.EndDate = ptr(day("2026-03-01")) }, map[string]string{"end_date": "before date 2026-03-10"}},
		{"end in future", func(e *trellis.Evidence) { e.EndDate = ptr(day("2026-04-01")) }, map[string]string{"end_date": "in the future"}},
		{"what too long", func(e *trellis.Evidence) { e.What = strings.Repeat("a", trellis.MaxEvidenceText+1) }, map[string]string{"what": "at most 20000"}},
		{"part too long", func(e *trellis.Evidence) { e.Part = strings.Repeat("a", trellis.MaxEvidencePart+1) }, map[string]string{"part": "at most 2000"}},
		{"result too long", func(e *trellis.Evidence) { e.Result = strings.Repeat("a", trellis.MaxEvidenceResult+1) }, map[string]string{"result": "at most 4000"}},
		{"link not http", func(e *trellis.Evidence) { e.Links = []string{"ftp://files.example.com/x"} }, map[string]string{"links": `"ftp://files.example.com/x" is not a web address; it must start with https:// or http://`}},
		{"link javascript", func(e *trellis.Evidence) { e.Links = []string{"javascript:alert(1)"} }, map[string]string{"links": "not a web address"}},
		{"link relative", func(e *trellis.Evidence) { e.Links = []string{"/tickets/1"} }, map[string]string{"links": "not a web address"}},
		{"link without host", func(e *trellis.Evidence) { e.Links = []string{"https:///x"} }, map[string]string{"links": "no host"}},
		{"link with space", func(e *trellis.Evidence) { e.Links = []string{"https://example.com/a b"} }, map[string]string{"links": "spaces"}},
		{"too many links", func(e *trellis.Evidence) {
			e.Links = nil
			for i := range 21 {
				e.Links = append(e.Links, "https://example.com/"+strings.Repeat("x", i+1))
			}
		}, map[string]string{"links": "at most 20"}},
		{"unknown competency with suggestion", func(e *trellis.Evidence) { e.Competencies = []string{"troubleshootng"} },
			map[string]string{"competencies": `competency "troubleshootng" is not in framework support@2026.1 (did you mean "troubleshooting"?)`}},
		{"unknown competency far off", func(e *trellis.Evidence) { e.Competencies = []string{"juggling"} },
			map[string]string{"competencies": "use one of communication, ambiguity-and-delivery"}},
		{"unknown activity", func(e *trellis.Evidence) { e.Activity = "pairing-sesion" }, map[string]string{"activity": `did you mean "pairing-session"?`}},
		{"unknown value", func(e *trellis.Evidence) { e.Values = []string{"speed"} }, map[string]string{"values": `value "speed" is not in framework`}},
		{"bad visibility", func(e *trellis.Evidence) { e.Visibility = "managr" }, map[string]string{"visibility": `did you mean "manager"?`}},
		{"empty visibility", func(e *trellis.Evidence) { e.Visibility = "" }, map[string]string{"visibility": "use one of private, manager"}},
		{"other framework", func(e *trellis.Evidence) { e.FrameworkID = "engineering" }, map[string]string{"framework_id": `"engineering"`}},
		{"several at once", func(e *trellis.Evidence) {
			e.Title = ""
			e.Date = day("2027-01-01")
			e.Competencies = []string{"nope"}
		}, map[string]string{"title": "required", "date": "future", "competencies": "nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goodEvidence()
			tt.change(&e)
			checkDetails(t, e.Validate(fw, today), tt.want)
		})
	}
}

func TestEvidenceValidateWithoutFramework(t *testing.T) {
	e := goodEvidence()
	e.Competencies = []string{"anything"}
	if err := e.Validate(nil, today); err != nil {
		t.Fatalf("without a framework, tags are not checked: %v", err)
	}
}

func TestEvidenceErrorMessage(t *testing.T) {
	e := goodEvidence()
	e.Title, e.Links = "", []string{"mailto:x@example.com"}
	err := e.Validate(support(t), today)
	if got := trellis.ErrorMessage(err); got != "The entry has 2 problems." {
		t.Errorf("message = %q", got)
	}
}

func TestEvidenceNormalize(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	e := trellis.Evidence{
		Title:        "  Fixed the importer \n",
		What:         " what ",
		Part:         " part ",
		Result:       " result ",
		Activity:     " bug-fix ",
		Date:         time.Date(2026, 3, 10, 0, 30, 0, 0, berlin), // 23:30 UTC the day before
		EndDate:      ptr(time.Date(2026, 3, 12, 15, 0, 0, 0, time.UTC)),
		Competencies: []string{" troubleshooting", "troubleshooting", "", "results"},
		Values:       []string{"results", " results "},
		Links:        []string{"https://a.example", " https://a.example ", "https://b.example"},
	}
	e.Normalize()
	if e.Title != "Fixed the importer" || e.What != "what" || e.Part != "part" || e.Result != "result" || e.Activity != "bug-fix" {
		t.Errorf("text not trimmed: %+v", e)
	}
	if !e.Date.Equal(day("2026-03-10")) || e.Date.Location() != time.UTC {
		t.Errorf("date = %v, want 2026-03-10 UTC (the calendar day as written)", e.Date)
	}
	if !e.EndDate.Equal(day("2026-03-12")) {
		t.Errorf("end date = %v", e.EndDate)
	}
	if strings.Join(e.Competencies, ",") != "troubleshooting,results" {
		t.Errorf("competencies = %q", e.Competencies)
	}
	if strings.Join(e.Values, ",") != "results" {
		t.Errorf("values = %q", e.Values)
	}
	if strings.Join(e.Links, ",") != "https://a.example,https://b.example" {
		t.Errorf("links = %q", e.Links)
	}
	if e.Visibility != trellis.VisPrivate {
		t.Errorf("visibility = %q, want private by default", e.Visibility)
	}
	e.Visibility = trellis.VisOrganisationViewer
	e.Normalize()
	if e.Visibility != trellis.VisOrganisationViewer {
		t.Errorf("a chosen visibility was changed to %q", e.Visibility)
	}
	var empty trellis.Evidence
	empty.Normalize()
	if empty.Competencies == nil || !empty.Date.IsZero() || empty.EndDate != nil {
		t.Errorf("empty entry normalised to %+v", empty)
	}
}

func TestLatestDay(t *testing.T) {
	for _, c := range []struct{ now, want string }{
		{"2026-11-27T00:30:00Z", "2026-11-27"},
		{"2026-11-27T09:59:00Z", "2026-11-27"},
		{"2026-11-27T10:00:00Z", "2026-11-28"}, // midnight in UTC+14
		{"2026-11-27T23:59:00Z", "2026-11-28"},
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		if got := trellis.LatestDay(now).Format(time.DateOnly); got != c.want {
			t.Errorf("LatestDay(%s) = %s, want %s", c.now, got, c.want)
		}
	}
}
