package importcsv

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"trellis"
)

// EvidenceColumns lists the columns of an evidence file, in the documented
// order:
//
//	title,date,end_date,what,part,result,links,competencies,activity,values,visibility
//
// title and date are required. date and end_date are YYYY-MM-DD; end_date
// closes a range. links, competencies and values hold several values
// separated by ';'. activity, competencies and values are ids of the active
// framework; visibility is one of trellis.Visibilities and defaults to
// DefaultEvidenceVisibility.
var EvidenceColumns = []string{"title", "date", "end_date", "what", "part", "result", "links", "competencies", "activity", "values", "visibility"}

// EvidenceRequired lists the columns every evidence file must have.
var EvidenceRequired = []string{"title", "date"}

// MaxEvidenceRows bounds the entries of one evidence file.
const MaxEvidenceRows = 5000

// DefaultEvidenceVisibility is the visibility of an entry whose visibility
// cell is empty: the person and their reporting line, the audience the
// journal exists for.
const DefaultEvidenceVisibility = trellis.VisManager

var evidenceSheet = sheet{columns: EvidenceColumns, required: EvidenceRequired, one: "entry", many: "entries", max: MaxEvidenceRows}

// Evidence reads an evidence file for one person's journal. Like People it
// is all or nothing: on any problem it returns no rows and one EINVALID
// error listing every problem as "row N: column". The checks made here are
// those of the file alone (dates, links, visibility, a title); whether the
// competencies, activity and values exist in the framework, and whether a
// date lies in the future, is EvidenceService.ImportEvidence's to say.
func Evidence(name string, r io.Reader) ([]trellis.EvidenceImportRow, error) {
	var rows []trellis.EvidenceImportRow
	err := readSheet(name, r, evidenceSheet, func(line int, get func(string) string, p *problems) {
		rows = append(rows, trellis.EvidenceImportRow{Line: line, Evidence: readEvidence(line, get, p)})
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func readEvidence(line int, get func(string) string, p *problems) trellis.Evidence {
	e := trellis.Evidence{
		Title:        get("title"),
		What:         get("what"),
		Part:         get("part"),
		Result:       get("result"),
		Links:        splitList(get("links")),
		Competencies: splitList(get("competencies")),
		Activity:     get("activity"),
		Values:       splitList(get("values")),
		Visibility:   trellis.Visibility(strings.ToLower(get("visibility"))),
	}
	if e.Title == "" {
		p.add(line, "title", "a title is required")
	}
	date := func(col string) (time.Time, bool) {
		s := get(col)
		if s == "" {
			return time.Time{}, false
		}
		d, err := time.Parse(DateFormat, s)
		if err != nil {
			p.add(line, col, "%q is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01", s)
			return time.Time{}, false
		}
		return d, true
	}
	if d, ok := date("date"); ok {
		e.Date = d
	} else if get("date") == "" {
		p.add(line, "date", "a date is required (YYYY-MM-DD)")
	}
	if d, ok := date("end_date"); ok {
		e.EndDate = &d
		if !e.Date.IsZero() && d.Before(e.Date) {
			p.add(line, "end_date", "the end date %s is before the date %s", d.Format(DateFormat), e.Date.Format(DateFormat))
		}
	}
	for _, l := range e.Links {
		if msg := LinkProblem(l); msg != "" {
			p.add(line, "links", "%s", msg)
		}
	}
	if e.Visibility == "" {
		e.Visibility = DefaultEvidenceVisibility
	} else if !e.Visibility.Valid() {
		vs := make([]string, len(trellis.Visibilities))
		for i, v := range trellis.Visibilities {
			vs[i] = string(v)
		}
		msg := fmt.Sprintf("visibility %q is not one of %s", e.Visibility, strings.Join(vs, ", "))
		if g := trellis.Suggest(string(e.Visibility), vs); g != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", g)
		}
		p.add(line, "visibility", "%s", msg)
	}
	return e
}

// LinkProblem says what is wrong with a link to an artifact, or "": it must
// be an absolute http or https address.
func LinkProblem(link string) string {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an http(s) address; links start with https:// or http://", link)
	}
	return ""
}

// splitList splits a cell of several values at ';', dropping empty ones.
func splitList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
