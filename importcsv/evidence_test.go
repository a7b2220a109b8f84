package importcsv

import (
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
)

func TestEvidenceGoodFile(t *testing.T) {
	csv := "\ufeffdate,title,what,links,competencies,activity,values,visibility,end_date,part,result\n" +
		`2026-03-02,Fixed the login outage,"Found the cause, wrote the fix","https://tickets.example/1; https://mr.example/2",troubleshooting;communication,bug-fix,results,private,2026-03-04,directly responsible,"errors down 90%"` + "\n" +
		",,,,,,,,,,\n" +
		"2026-03-10,Pairing with Sam,,,,pairing-session,,,,,\n"
	rows, err := Evidence("journal.csv", strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Line != 2 || rows[1].Line != 4 {
		t.Fatalf("rows = %+v", rows)
	}
	a, b := rows[0].Evidence, rows[1].Evidence
	if a.Title != "Fixed the login outage" || a.What != "Found the cause, wrote the fix" || a.Part != "directly responsible" || a.Result != "errors down 90%" {
		t.Errorf("a = %+v", a)
	}
	if !a.Date.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || a.EndDate == nil || a.EndDate.Day() != 4 {
		t.Errorf("dates = %v %v", a.Date, a.EndDate)
	}
	if !slices.Equal(a.Links, []string{"https://tickets.example/1", "https://mr.example/2"}) ||
		!slices.Equal(a.Competencies, []string{"troubleshooting", "communication"}) || !slices.Equal(a.Values, []string{"results"}) {
		t.Errorf("lists = %q %q %q", a.Links, a.Competencies, a.Values)
	}
	if a.Activity != "bug-fix" || a.Visibility != trellis.VisPrivate {
		t.Errorf("activity %q visibility %q", a.Activity, a.Visibility)
	}
	if b.Visibility != DefaultEvidenceVisibility || len(b.Links) != 0 || b.Competencies == nil {
		t.Errorf("b = %+v", b)
	}
}

func TestEvidenceEveryBadRowNamed(t *testing.T) {
	csv := "title,date,end_date,links,visibility\n" +
		",2026-01-01,,,\n" + // no title
		"Demo,01/02/2026,,,\n" + // not a date
		"Demo,2026-02-01,2026-01-01,,\n" + // ends before it starts
		"Demo,2026-02-01,,javascript:alert(1),\n" + // not http(s)
		"Demo,2026-02-01,,,everyone\n" + // unknown visibility
		"Demo,,,,\n" + // no date
		"Short,2026-01-01\n" // wrong length
	rows, err := Evidence("bad.csv", strings.NewReader(csv))
	if err == nil || rows != nil {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	if trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(trellis.ErrorMessage(err), "nothing was imported") {
		t.Errorf("err = %v", err)
	}
	want := []string{"row 2: title", "row 3: date", "row 4: end_date", "row 5: links", "row 6: visibility", "row 7: date", "row 8: row"}
	var got []string
	for _, d := range trellis.ErrorDetails(err) {
		got = append(got, d.Field)
	}
	if !slices.Equal(got, want) {
		t.Errorf("fields = %q, want %q", got, want)
	}
}

func TestEvidenceHeaderProblems(t *testing.T) {
	_, err := Evidence("x.csv", strings.NewReader("titel,date\nA,2026-01-01\n"))
	d := trellis.ErrorDetails(err)
	if len(d) != 2 || !strings.Contains(d[0].Message, `did you mean "title"`) || d[1].Field != "row 1: title" {
		t.Errorf("%v", d)
	}
	if _, err := Evidence("x.csv", strings.NewReader("title,date\n")); !strings.Contains(trellis.ErrorMessage(err), "no entries") {
		t.Errorf("header only: %v", err)
	}
	if _, err := Evidence("x.csv", strings.NewReader("")); !strings.Contains(trellis.ErrorMessage(err), "row per entry") {
		t.Errorf("empty: %v", err)
	}
}

func TestLinkProblem(t *testing.T) {
	for link, ok := range map[string]bool{"https://a.example/x": true, "http://a.example": true, "ftp://a.example": false,
		"javascript:alert(1)": false, "a.example/x": false, "https://": false} {
		if got := LinkProblem(link) == ""; got != ok {
			t.Errorf("%q: ok = %v", link, got)
		}
	}
}
