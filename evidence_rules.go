package trellis

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of a journal entry. Text is counted in characters, not bytes.
const (
	MaxEvidenceTitle  = 200
	MaxEvidenceText   = 20000 // what happened
	MaxEvidencePart   = 2000  // the person's own part
	MaxEvidenceResult = 4000  // the measurable result
	MaxEvidenceLinks  = 20
	MaxLinkLength     = 2000
)

// Day returns the calendar day of t (in t's own location) as UTC midnight:
// the form in which dates of entries, goals and conversations are stored.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Normalize puts an entry in its stored form: text trimmed, empty and
// repeated competencies, values and links dropped (first one wins), the
// visibility private when unset, and dates at UTC midnight of their day.
func (e *Evidence) Normalize() {
	e.Title = strings.TrimSpace(e.Title)
	e.What = strings.TrimSpace(e.What)
	e.Part = strings.TrimSpace(e.Part)
	e.Result = strings.TrimSpace(e.Result)
	e.Activity = strings.TrimSpace(e.Activity)
	e.FrameworkID = strings.TrimSpace(e.FrameworkID)
	e.Competencies = dedupe(e.Competencies)
	e.Values = dedupe(e.Values)
	e.Links = dedupe(e.Links)
	e.Visibility = Visibility(strings.TrimSpace(string(e.Visibility)))
	if e.Visibility == "" {
		e.Visibility = VisPrivate
	}
	if !e.Date.IsZero() {
		e.Date = Day(e.Date)
	}
	if e.EndDate != nil {
		if e.EndDate.IsZero() {
			e.EndDate = nil
		} else {
			d := Day(*e.EndDate)
			e.EndDate = &d
		}
	}
}

// dedupe trims each string and drops empty and repeated ones, keeping order.
// It never returns nil, so that an emptied list encodes as [].
func dedupe(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		x = strings.TrimSpace(x)
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// fieldErrors collects what is wrong with an input, one FieldError per
// problem, named by the JSON field.
type fieldErrors []FieldError

func (d *fieldErrors) add(field, format string, args ...any) {
	*d = append(*d, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns nil when nothing was added, else an EINVALID *Error saying
// how many problems the thing has.
func (d fieldErrors) err(thing string) error {
	if len(d) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "The " + thing + " has " + plural(len(d), "problem") + ".", Details: d}
}

// text checks a free-text field: required or not, at most max characters,
// and single-line fields free of control characters.
func (d *fieldErrors) text(field, name, value string, required bool, max int, singleLine bool) {
	switch {
	case strings.TrimSpace(value) == "":
		if required {
			d.add(field, "%s is required", name)
		}
	case utf8.RuneCountInString(value) > max:
		d.add(field, "%s is %d characters long; it may be at most %d", name, utf8.RuneCountInString(value), max)
	case !utf8.ValidString(value):
		d.add(field, "%s is not valid UTF-8 text", name)
	case singleLine && strings.IndexFunc(value, unicode.IsControl) >= 0:
		d.add(field, "%s must be one line, without tabs or line breaks", name)
	}
}

// day checks a date that may not lie after today.
func (d *fieldErrors) notAfter(field, name string, t, today time.Time) {
	if Day(t).After(Day(today)) {
		d.add(field, "%s %s is in the future; it may be today (%s) at the latest", name, Day(t).Format(time.DateOnly), Day(today).Format(time.DateOnly))
	}
}

// Validate checks an entry as it would be stored (call Normalize first)
// against the framework it is tagged in and the calendar day today (in the
// person's time zone, so that "today" is theirs). It reports every wrong
// field at once as an EINVALID *Error whose details name the JSON fields.
// A nil fw skips the checks of competencies, activity and values.
func (e *Evidence) Validate(fw *Framework, today time.Time) error {
	var d fieldErrors
	d.text("title", "title", e.Title, true, MaxEvidenceTitle, true)
	if e.Date.IsZero() {
		d.add("date", "date is required: the day it happened, as YYYY-MM-DD")
	} else {
		d.notAfter("date", "date", e.Date, today)
	}
	if e.EndDate != nil && !e.EndDate.IsZero() {
		switch {
		case !e.Date.IsZero() && Day(*e.EndDate).Before(Day(e.Date)):
			d.add("end_date", "end_date %s is before date %s; a range must end on or after its first day",
				Day(*e.EndDate).Format(time.DateOnly), Day(e.Date).Format(time.DateOnly))
		default:
			d.notAfter("end_date", "end_date", *e.EndDate, today)
		}
	}
	d.text("what", "what happened", e.What, false, MaxEvidenceText, false)
	d.text("part", "your part", e.Part, false, MaxEvidencePart, false)
	d.text("result", "result", e.Result, false, MaxEvidenceResult, false)

	if len(e.Links) > MaxEvidenceLinks {
		d.add("links", "there are %d links; at most %d are allowed, so link a page that lists the rest", len(e.Links), MaxEvidenceLinks)
	}
	for _, l := range e.Links {
		if msg := linkProblem(l); msg != "" {
			d.add("links", "%s", msg)
		}
	}

	if !e.Visibility.Valid() {
		names := make([]string, len(Visibilities))
		for i, v := range Visibilities {
			names[i] = string(v)
		}
		d.add("visibility", "visibility %q is not known%s; use one of %s", e.Visibility, suggestion(string(e.Visibility), names), strings.Join(names, ", "))
	}

	if fw != nil {
		if e.FrameworkID != "" && e.FrameworkID != fw.ID {
			d.add("framework_id", "framework_id is %q, but the entry is checked against framework %q", e.FrameworkID, fw.ID)
		}
		comps := make([]string, len(fw.Competencies))
		for i, c := range fw.Competencies {
			comps[i] = c.ID
		}
		for _, c := range e.Competencies {
			if !slices.Contains(comps, c) {
				d.add("competencies", "%s", unknownRef("competency", c, comps, fw))
			}
		}
		if e.Activity != "" {
			acts := make([]string, len(fw.Activities))
			for i, a := range fw.Activities {
				acts[i] = a.ID
			}
			if !slices.Contains(acts, e.Activity) {
				d.add("activity", "%s", unknownRef("activity", e.Activity, acts, fw))
			}
		}
		vals := make([]string, len(fw.Values))
		for i, v := range fw.Values {
			vals[i] = v.ID
		}
		for _, v := range e.Values {
			if !slices.Contains(vals, v) {
				d.add("values", "%s", unknownRef("value", v, vals, fw))
			}
		}
	}
	return d.err("entry")
}

// unknownRef says that id names no kind in fw, with a did-you-mean or the
// list of known ids when it is short.
func unknownRef(kind, id string, known []string, fw *Framework) string {
	msg := fmt.Sprintf("%s %q is not in framework %s@%s", kind, id, fw.ID, fw.Version)
	if s := Suggest(id, known); s != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(known) == 0 {
		return msg + fmt.Sprintf("; it defines no %s", kind)
	}
	if len(known) <= 20 {
		return msg + "; use one of " + strings.Join(known, ", ")
	}
	return msg
}

// linkProblem says what is wrong with a link to an artifact, or "".
func linkProblem(l string) string {
	if utf8.RuneCountInString(l) > MaxLinkLength {
		return fmt.Sprintf("link %.40q... is longer than %d characters", l, MaxLinkLength)
	}
	u, err := url.Parse(l)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("link %q is not a web address; it must start with https:// or http://", l)
	}
	if u.Host == "" {
		return fmt.Sprintf("link %q has no host; write it as https://host/path", l)
	}
	if strings.ContainsFunc(l, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Sprintf("link %q contains spaces; encode them as %%20", l)
	}
	return ""
}

// LatestDay is the latest calendar day it can be anywhere on Earth at now
// (UTC+14). Journal dates are plain days without a time zone, so "not in the
// future" is checked against it: a person east of UTC must be able to write
// down what happened on their own today.
func LatestDay(now time.Time) time.Time { return Day(now.UTC().Add(14 * time.Hour)) }
