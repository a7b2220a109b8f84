package web

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"trellis"
	"trellis/importcsv"
	"trellis/suggest"
)

// The evidence journal: a person's list of entries with filters and search,
// the quick-capture form with competency suggestions, editing with a
// version, deleting after a confirmation, and the CSV import.
//
// Who may do what is the policy's. The list routes are open to whoever may
// see the person (the collection is no secret) and list only the entries at
// the visibilities the viewer may read. Routes on one entry check the entry
// itself, with its visibility, once it is loaded: an entry the viewer may
// not read is a 404, exactly like a missing one.

// growthFramework returns the active framework a person's growth is measured
// in: the one that has their role, else the first active framework.
func (s *Server) growthFramework(ctx context.Context, p *trellis.Person) (*trellis.Framework, trellis.FrameworkVersion, error) {
	versions, err := s.frameworks.ListFrameworks(ctx)
	if err != nil {
		return nil, trellis.FrameworkVersion{}, err
	}
	var first *trellis.FrameworkVersion
	for i, v := range versions {
		if !v.Active {
			continue
		}
		if first == nil {
			first = &versions[i]
		}
		fw, ver, err := s.frameworks.FindFramework(ctx, trellis.Ref{ID: v.ID})
		if err != nil {
			return nil, trellis.FrameworkVersion{}, err
		}
		if _, ok := fw.Role(p.RoleID); ok {
			return fw, ver, nil
		}
	}
	if first == nil {
		return nil, trellis.FrameworkVersion{}, trellis.Errorf(trellis.EUNAVAILABLE, "No framework is active yet; an admin imports and activates one first.")
	}
	return s.frameworks.FindFramework(ctx, trellis.Ref{ID: first.ID})
}

// needGrowth refuses requests when the growth services are not wired in.
func (s *Server) needGrowth() error {
	if s.evidence == nil || s.growth == nil || s.readiness == nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "The evidence journal and growth plans are not available on this server.")
	}
	return nil
}

// evidenceTarget is the policy's view of one entry.
func evidenceTarget(owner trellis.Target, e *trellis.Evidence) trellis.Target {
	owner.Kind = trellis.KindEvidence
	owner.Visibility = e.Visibility
	return owner
}

// readableVisibilities lists the visibilities at which the viewer may read
// the owner's entries; list filters pass it to the store.
func (s *Server) readableVisibilities(r *http.Request, owner trellis.Target) []trellis.Visibility {
	var out []trellis.Visibility
	t := owner
	t.Kind = trellis.KindEvidence
	for _, v := range trellis.Visibilities {
		t.Visibility = v
		if s.can(r, trellis.ActionRead, t) {
			out = append(out, v)
		}
	}
	return out
}

// loadEvidence loads an entry of the person the path names and checks that
// the viewer may do action on it. An entry of someone else, or one the
// viewer may not read, is ENOTFOUND.
func (s *Server) loadEvidence(r *http.Request, personID, id int64, action trellis.Action) (*trellis.Evidence, trellis.Target, *trellis.Person, error) {
	e, err := s.evidence.FindEvidence(r.Context(), id)
	if err != nil {
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			err = trellis.Errorf(trellis.ENOTFOUND, "No such evidence entry.")
		}
		return nil, trellis.Target{}, nil, err
	}
	if personID != 0 && e.PersonID != personID {
		return nil, trellis.Target{}, nil, trellis.Errorf(trellis.ENOTFOUND, "No such evidence entry.")
	}
	t, p, err := s.personTarget(r.Context(), trellis.KindEvidence, e.PersonID)
	if err != nil {
		return nil, trellis.Target{}, nil, err
	}
	t = evidenceTarget(t, e)
	if err := s.check(r, trellis.ActionRead, t); err != nil {
		return nil, trellis.Target{}, nil, trellis.Errorf(trellis.ENOTFOUND, "No such evidence entry.")
	}
	if action != trellis.ActionRead {
		if err := s.check(r, action, t); err != nil {
			return nil, trellis.Target{}, nil, err
		}
	}
	return e, t, p, nil
}

func entryID(r *http.Request, wildcard string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(wildcard), 10, 64)
	if err != nil || id <= 0 {
		return 0, trellis.Errorf(trellis.ENOTFOUND, "No such evidence entry.")
	}
	return id, nil
}

// evidenceFromPath loads the entry a route names, checked for action: the
// pages name it as {eid} under its person's {pid}, the API as {id} alone.
func (s *Server) evidenceFromPath(r *http.Request, action trellis.Action) (*trellis.Evidence, trellis.Target, *trellis.Person, error) {
	if err := s.needGrowth(); err != nil {
		return nil, trellis.Target{}, nil, err
	}
	if r.PathValue("eid") != "" {
		id, err := entryID(r, "eid")
		if err != nil {
			return nil, trellis.Target{}, nil, err
		}
		return s.loadEvidence(r, personID(r), id, action)
	}
	id, err := entryID(r, "id")
	if err != nil {
		return nil, trellis.Target{}, nil, err
	}
	return s.loadEvidence(r, 0, id, action)
}

func journalURL(pid int64) string { return personURL(pid) + "/evidence" }

func entryURL(pid, id int64) string { return journalURL(pid) + "/" + strconv.FormatInt(id, 10) }

// Suggestions.

// suggestIndexes caches one suggestion index per framework content hash:
// building one scores every expectation text, and frameworks change rarely.
var suggestIndexes = struct {
	sync.Mutex
	m map[string]*suggest.Index
}{m: map[string]*suggest.Index{}}

// maxSuggestIndexes bounds the cache; past it the cache starts afresh.
const maxSuggestIndexes = 16

func suggestIndex(fw *trellis.Framework, hash string) *suggest.Index {
	if hash == "" {
		hash = fw.Hash()
	}
	suggestIndexes.Lock()
	defer suggestIndexes.Unlock()
	if ix, ok := suggestIndexes.m[hash]; ok {
		return ix
	}
	if len(suggestIndexes.m) >= maxSuggestIndexes {
		clear(suggestIndexes.m)
	}
	ix := suggest.New(fw)
	suggestIndexes.m[hash] = ix
	return ix
}

// suggestionCount is how many competencies are suggested for an entry.
const suggestionCount = 5

// suggestionText is the text of an entry that suggestions are scored on.
func suggestionText(title, what, part, result string) string {
	return strings.Join([]string{title, what, part, result}, "\n")
}

// Forms.

// evidenceForm is what the quick-capture and edit forms hold, as typed.
type evidenceForm struct {
	Title, Date, EndDate, What, Part, Result, Links, Activity string
	Competencies, Values                                      []string
	Visibility                                                string
	Version                                                   int
}

func evidenceFormOf(e *trellis.Evidence) evidenceForm {
	f := evidenceForm{Title: e.Title, What: e.What, Part: e.Part, Result: e.Result, Links: strings.Join(e.Links, "\n"),
		Activity: e.Activity, Competencies: e.Competencies, Values: e.Values, Visibility: string(e.Visibility), Version: e.Version}
	if !e.Date.IsZero() {
		f.Date = e.Date.Format(importcsv.DateFormat)
	}
	if e.EndDate != nil {
		f.EndDate = e.EndDate.Format(importcsv.DateFormat)
	}
	return f
}

func readEvidenceForm(r *http.Request) evidenceForm {
	f := evidenceForm{Title: strings.TrimSpace(r.PostFormValue("title")), Date: strings.TrimSpace(r.PostFormValue("date")),
		EndDate: strings.TrimSpace(r.PostFormValue("end_date")), What: r.PostFormValue("what"), Part: r.PostFormValue("part"),
		Result: r.PostFormValue("result"), Links: r.PostFormValue("links"), Activity: r.PostFormValue("activity"),
		Visibility: r.PostFormValue("visibility")}
	f.Competencies = dedupe(r.PostForm["competencies"])
	f.Values = dedupe(r.PostForm["values"])
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

func dedupe(in []string) []string {
	out := []string{}
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// linesOf splits a textarea into its non-empty lines.
func linesOf(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseDay reads a date YYYY-MM-DD as UTC midnight. ok is false when s is
// empty.
func parseDate(field, s string, problems *[]trellis.FieldError) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	d, err := time.Parse(importcsv.DateFormat, s)
	if err != nil {
		*problems = append(*problems, trellis.FieldError{Field: field, Message: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)})
		return time.Time{}, false
	}
	return d, true
}

// evidenceOf turns the form into an entry; problems collects what cannot
// even be read. The store checks the rest against the framework.
func (f evidenceForm) evidence(problems *[]trellis.FieldError) *trellis.Evidence {
	e := &trellis.Evidence{Title: f.Title, What: strings.TrimSpace(f.What), Part: strings.TrimSpace(f.Part), Result: strings.TrimSpace(f.Result),
		Links: linesOf(f.Links), Activity: f.Activity, Competencies: f.Competencies, Values: f.Values, Visibility: trellis.Visibility(f.Visibility)}
	if d, ok := parseDate("date", f.Date, problems); ok {
		e.Date = d
	} else if f.Date == "" {
		*problems = append(*problems, trellis.FieldError{Field: "date", Message: "a date is required"})
	}
	if d, ok := parseDate("end_date", f.EndDate, problems); ok {
		e.EndDate = &d
	}
	if e.Visibility == "" {
		e.Visibility = importcsv.DefaultEvidenceVisibility
	}
	return e
}

// checkLinks adds a problem per link that is not http(s); the store checks
// them too, this names the line on the form.
func checkLinks(links []string, problems *[]trellis.FieldError) {
	for _, l := range links {
		if msg := importcsv.LinkProblem(l); msg != "" {
			*problems = append(*problems, trellis.FieldError{Field: "links", Message: msg})
		}
	}
}

// compGroup is the competencies of one area, for the form's checkboxes.
type compGroup struct {
	Area  trellis.Area
	Items []compChoice
}

type compChoice struct {
	ID, Name, Description string
	Checked               bool
}

type suggestionView struct {
	ID, Name string
	Reasons  []string
	Checked  bool
}

type choice struct {
	ID, Name string
	Checked  bool
}

type evidenceFormView struct {
	P           *trellis.Person
	E           *trellis.Evidence // nil on the new form
	F           evidenceForm
	Action      string
	Groups      []compGroup
	Suggested   []suggestionView
	SuggestAsk  bool // the person asked for suggestions
	Activities  []choice
	Values      []choice
	Visibility  []choice
	Message     string
	Errors      map[string]string
	Conflict    []conflictRow
	Today       string
	FrameworkID string
}

func visibilityLabel(v trellis.Visibility) string {
	switch v {
	case trellis.VisPrivate:
		return "Only me"
	case trellis.VisManager:
		return "Me and my reporting line"
	case trellis.VisOrganisationViewer:
		return "Everyone signed in may read"
	case trellis.VisOrganisationCommenter:
		return "Everyone signed in may comment"
	case trellis.VisOrganisationEditor:
		return "Everyone signed in may edit"
	}
	return string(v)
}

// evidenceFields maps fields of domain errors to the form's inputs.
var evidenceFields = map[string]string{"end": "end_date", "activity_id": "activity"}

func (v *evidenceFormView) setError(err error) {
	v.Message = trellis.ErrorMessage(err)
	v.Errors = map[string]string{}
	for _, d := range trellis.ErrorDetails(err) {
		f := d.Field
		if i := strings.IndexAny(f, "[."); i > 0 {
			f = f[:i] // competencies[2] -> competencies
		}
		if m, ok := evidenceFields[f]; ok {
			f = m
		}
		if v.Errors[f] != "" {
			v.Errors[f] += "; "
		}
		v.Errors[f] += d.Message
	}
}

// fill completes the view with the framework's choices and, when asked,
// the suggestions for what the form holds.
func (s *Server) fillEvidenceForm(v *evidenceFormView, fw *trellis.Framework, hash string) {
	v.FrameworkID = fw.ID
	v.Today = s.now().Format(importcsv.DateFormat)
	suggested := map[string]bool{}
	if v.SuggestAsk {
		ix := suggestIndex(fw, hash)
		for _, sg := range ix.Suggest(suggestionText(v.F.Title, v.F.What, v.F.Part, v.F.Result), v.F.Activity, suggestionCount) {
			c, ok := fw.Competency(sg.Competency)
			if !ok || slices.Contains(v.F.Competencies, sg.Competency) {
				continue
			}
			suggested[c.ID] = true
			v.Suggested = append(v.Suggested, suggestionView{ID: c.ID, Name: c.Name, Reasons: sg.Reasons})
		}
	}
	for _, a := range fw.Areas {
		g := compGroup{Area: a}
		for _, c := range fw.CompetenciesIn(a.ID) {
			if suggested[c.ID] {
				continue // offered among the suggestions, once
			}
			g.Items = append(g.Items, compChoice{ID: c.ID, Name: c.Name, Description: c.Description, Checked: slices.Contains(v.F.Competencies, c.ID)})
		}
		if len(g.Items) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	for _, a := range fw.Activities {
		v.Activities = append(v.Activities, choice{ID: a.ID, Name: a.Name, Checked: a.ID == v.F.Activity})
	}
	for _, val := range fw.Values {
		v.Values = append(v.Values, choice{ID: val.ID, Name: val.Name, Checked: slices.Contains(v.F.Values, val.ID)})
	}
	vis := cmpOrString(v.F.Visibility, string(importcsv.DefaultEvidenceVisibility))
	for _, vv := range trellis.Visibilities {
		v.Visibility = append(v.Visibility, choice{ID: string(vv), Name: visibilityLabel(vv), Checked: string(vv) == vis})
	}
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (s *Server) renderEvidenceForm(w http.ResponseWriter, r *http.Request, status int, v evidenceFormView) {
	fw, ver, err := s.growthFramework(r.Context(), v.P)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.fillEvidenceForm(&v, fw, ver.Hash)
	title := "Add evidence"
	if v.E != nil {
		title = "Edit evidence"
	}
	s.render(w, r, status, "evidence_form", layoutPage(title, "journal", v))
}

func (s *Server) newEvidenceForm(w http.ResponseWriter, r *http.Request) {
	_, p, ok := s.growthTarget(w, r, trellis.KindEvidence)
	if !ok {
		return
	}
	f := evidenceForm{Date: s.now().Format(importcsv.DateFormat), Visibility: string(importcsv.DefaultEvidenceVisibility)}
	s.renderEvidenceForm(w, r, http.StatusOK, evidenceFormView{P: p, F: f, Action: journalURL(p.ID)})
}

// createEvidenceSubmit saves a new entry, or, when the person asked for
// suggestions, shows the form again with them and saves nothing.
func (s *Server) createEvidenceSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, p, ok := s.growthTarget(w, r, trellis.KindEvidence)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	f := readEvidenceForm(r)
	v := evidenceFormView{P: p, F: f, Action: journalURL(p.ID)}
	if r.PostFormValue("intent") == "suggest" {
		v.SuggestAsk = true
		s.renderEvidenceForm(w, r, http.StatusOK, v)
		return
	}
	var problems []trellis.FieldError
	e := f.evidence(&problems)
	checkLinks(e.Links, &problems)
	if err := problemsError(problems); err != nil {
		v.setError(err)
		s.renderEvidenceForm(w, r, http.StatusBadRequest, v)
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e.PersonID, e.FrameworkID = p.ID, fw.ID
	if err := s.evidence.CreateEvidence(ctx, e); err != nil {
		if c := trellis.ErrorCode(err); c != trellis.EINVALID && c != trellis.ERULE {
			s.fail(w, r, err)
			return
		}
		v.setError(err)
		s.renderEvidenceForm(w, r, ErrorStatus(err), v)
		return
	}
	http.Redirect(w, r, journalURL(p.ID)+"?added="+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
}

func (s *Server) editEvidenceForm(w http.ResponseWriter, r *http.Request) {
	e, _, p, err := s.evidenceFromPath(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEvidenceForm(w, r, http.StatusOK, evidenceFormView{P: p, E: e, F: evidenceFormOf(e), Action: entryURL(p.ID, e.ID)})
}

func (s *Server) updateEvidenceSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cur, t, p, err := s.evidenceFromPath(r, trellis.ActionEdit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domainFormError(err))
		return
	}
	f := readEvidenceForm(r)
	v := evidenceFormView{P: p, E: cur, F: f, Action: entryURL(p.ID, cur.ID)}
	if r.PostFormValue("intent") == "suggest" {
		v.SuggestAsk = true
		s.renderEvidenceForm(w, r, http.StatusOK, v)
		return
	}
	var problems []trellis.FieldError
	e := f.evidence(&problems)
	checkLinks(e.Links, &problems)
	if f.Version <= 0 {
		problems = append(problems, trellis.FieldError{Field: "version", Message: "the form lacks the version it was loaded at; reload the page"})
	}
	if e.Visibility != cur.Visibility {
		if err := s.check(r, trellis.ActionChangeVisibility, t); err != nil {
			problems = append(problems, trellis.FieldError{Field: "visibility", Message: "only the author chooses who sees the entry"})
		}
	}
	if err := problemsError(problems); err != nil {
		v.setError(err)
		s.renderEvidenceForm(w, r, http.StatusBadRequest, v)
		return
	}
	e.ID, e.PersonID, e.FrameworkID = cur.ID, cur.PersonID, cur.FrameworkID
	if f.Version != cur.Version {
		s.evidenceConflict(w, r, v, cur)
		return
	}
	err = s.evidence.UpdateEvidence(ctx, e, f.Version)
	if err == nil {
		http.Redirect(w, r, entryURL(p.ID, cur.ID)+"?saved=1", http.StatusSeeOther)
		return
	}
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		if now, ferr := s.evidence.FindEvidence(ctx, cur.ID); ferr == nil && now.Version != f.Version {
			s.evidenceConflict(w, r, v, now)
			return
		}
	}
	if c := trellis.ErrorCode(err); c != trellis.EINVALID && c != trellis.ERULE && c != trellis.ECONFLICT {
		s.fail(w, r, err)
		return
	}
	v.setError(err)
	s.renderEvidenceForm(w, r, ErrorStatus(err), v)
}

// evidenceConflict shows a stale save: the saved entry next to what was
// typed, the typed text kept in the form at the saved version, so that the
// next save knowingly replaces it.
func (s *Server) evidenceConflict(w http.ResponseWriter, r *http.Request, v evidenceFormView, saved *trellis.Evidence) {
	sf, tf := evidenceFormOf(saved), v.F
	rows := []conflictRow{
		{Label: "Title", Saved: sf.Title, Typed: tf.Title},
		{Label: "Date", Saved: sf.Date, Typed: tf.Date},
		{Label: "Until", Saved: sf.EndDate, Typed: tf.EndDate},
		{Label: "What happened", Saved: sf.What, Typed: tf.What},
		{Label: "My part", Saved: sf.Part, Typed: tf.Part},
		{Label: "Result", Saved: sf.Result, Typed: tf.Result},
		{Label: "Links", Saved: sf.Links, Typed: strings.Join(linesOf(tf.Links), "\n")},
		{Label: "Activity", Saved: sf.Activity, Typed: tf.Activity},
		{Label: "Competencies", Saved: strings.Join(sf.Competencies, ", "), Typed: strings.Join(tf.Competencies, ", ")},
		{Label: "Values", Saved: strings.Join(sf.Values, ", "), Typed: strings.Join(tf.Values, ", ")},
		{Label: "Visibility", Saved: sf.Visibility, Typed: tf.Visibility},
	}
	for i := range rows {
		rows[i].Differs = strings.TrimSpace(rows[i].Saved) != strings.TrimSpace(rows[i].Typed)
	}
	v.Conflict = rows
	v.E = saved
	v.F.Version = saved.Version
	v.Message = "Someone saved this entry while you were editing it. The saved text and what you typed are side by side below; your text is still in the form. Save again to replace the saved entry with yours, or open the entry again to start from it."
	s.renderEvidenceForm(w, r, http.StatusConflict, v)
}

// Delete.

type evidenceDeleteView struct {
	P *trellis.Person
	E *trellis.Evidence
}

func (s *Server) deleteEvidenceForm(w http.ResponseWriter, r *http.Request) {
	e, _, p, err := s.evidenceFromPath(r, trellis.ActionDelete)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "evidence_delete", layoutPage("Delete evidence", "journal", evidenceDeleteView{P: p, E: e}))
}

func (s *Server) deleteEvidenceSubmit(w http.ResponseWriter, r *http.Request) {
	e, _, p, err := s.evidenceFromPath(r, trellis.ActionDelete)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.evidence.DeleteEvidence(r.Context(), e.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, journalURL(p.ID)+"?deleted=1", http.StatusSeeOther)
}

// One entry.

type entryView struct {
	P            *trellis.Person
	E            *trellis.Evidence
	Competencies []choice
	Activity     string
	Values       []string
	Visibility   string
	Links        []string
	CanEdit      bool
	CanDelete    bool
	Notice       string
}

// fwNames resolves ids of a framework for display; unknown ids show as they are.
type fwNames struct{ fw *trellis.Framework }

func (n fwNames) competency(id string) string {
	if n.fw != nil {
		if c, ok := n.fw.Competency(id); ok {
			return c.Name
		}
	}
	return id
}

func (n fwNames) activity(id string) string {
	if n.fw != nil {
		if a, ok := n.fw.Activity(id); ok {
			return a.Name
		}
	}
	return id
}

func (n fwNames) value(id string) string {
	if n.fw != nil {
		if v, ok := n.fw.Value(id); ok {
			return v.Name
		}
	}
	return id
}

// safeLinks keeps the http(s) links; others are shown as text by the
// templates that list them, never as links.
func safeLinks(links []string) []string {
	var out []string
	for _, l := range links {
		if importcsv.LinkProblem(l) == "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) evidencePage(w http.ResponseWriter, r *http.Request) {
	e, t, p, err := s.evidenceFromPath(r, trellis.ActionRead)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fw, _, err := s.growthFramework(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n := fwNames{fw}
	v := entryView{P: p, E: e, Activity: n.activity(e.Activity), Visibility: visibilityLabel(e.Visibility), Links: safeLinks(e.Links),
		CanEdit: s.can(r, trellis.ActionEdit, t), CanDelete: s.can(r, trellis.ActionDelete, t)}
	for _, c := range e.Competencies {
		v.Competencies = append(v.Competencies, choice{ID: c, Name: n.competency(c)})
	}
	for _, val := range e.Values {
		v.Values = append(v.Values, n.value(val))
	}
	if r.URL.Query().Get("saved") != "" {
		v.Notice = "Saved."
	}
	s.render(w, r, http.StatusOK, "evidence_entry", layoutPage(e.Title, "journal", v))
}

// The journal.

type journalRow struct {
	E            *trellis.Evidence
	URL          string
	Competencies []choice
	Activity     string
	Visibility   string
	Snippet      template.HTML
	CanEdit      bool
}

// growthHeadView is the data of the "growthhead" template: the heading
// and tabs of a person's journal, plan, target and readiness pages.
type growthHeadView struct {
	P       *trellis.Person
	Tab     string
	Heading string
	Self    bool
}

func (s *Server) growthHead(r *http.Request, p *trellis.Person, tab, heading string) growthHeadView {
	me := s.actor(r).Person
	return growthHeadView{P: p, Tab: tab, Heading: heading, Self: me != nil && me.ID == p.ID}
}

type journalView struct {
	Head                              growthHeadView
	P                                 *trellis.Person
	Self                              bool
	Q, Competency, Activity, From, To string
	Filtered                          bool
	Competencies                      []choice
	Activities                        []choice
	Rows                              []journalRow
	Next, First                       string
	CanCreate                         bool
	Notice                            string
	Hidden                            bool // some entries are not shown to this viewer
}

func (v journalView) pageURL(cursor string) string {
	q := url.Values{}
	for k, val := range map[string]string{"q": v.Q, "competency": v.Competency, "activity": v.Activity, "from": v.From, "to": v.To, "cursor": cursor} {
		if val != "" {
			q.Set(k, val)
		}
	}
	if len(q) == 0 {
		return journalURL(v.P.ID)
	}
	return journalURL(v.P.ID) + "?" + q.Encode()
}

// evidenceFilter reads the journal's filters from a query; problems name
// the parameters that are not right.
func evidenceFilter(q url.Values, problems *[]trellis.FieldError) trellis.EvidenceFilter {
	f := trellis.EvidenceFilter{Query: strings.TrimSpace(q.Get("q")), Competency: strings.TrimSpace(q.Get("competency")),
		Activity: strings.TrimSpace(q.Get("activity")), Cursor: q.Get("cursor")}
	if d, ok := parseDate("from", strings.TrimSpace(q.Get("from")), problems); ok {
		f.From = d
	}
	if d, ok := parseDate("to", strings.TrimSpace(q.Get("to")), problems); ok {
		f.To = d
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		*problems = append(*problems, trellis.FieldError{Field: "to", Message: "the end of the period is before its start"})
	}
	return f
}

// markOnly makes a search snippet safe whatever the store sent: every part
// between <mark> and </mark> is unescaped and escaped again, so the only
// markup that survives is the highlighting.
func markOnly(snippet string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Split(snippet, "</mark>") {
		if i > 0 {
			b.WriteString("</mark>")
		}
		before, marked, found := strings.Cut(part, "<mark>")
		b.WriteString(template.HTMLEscapeString(html.UnescapeString(before)))
		if found {
			b.WriteString("<mark>")
			b.WriteString(template.HTMLEscapeString(html.UnescapeString(strings.ReplaceAll(marked, "<mark>", ""))))
		}
	}
	out := b.String()
	// A </mark> without its <mark> (a cut snippet) would close nothing; balance it.
	if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
		out = template.HTMLEscapeString(html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(snippet)))
	}
	return template.HTML(out)
}

func (s *Server) journalPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	t, p, ok := s.growthTarget(w, r, trellis.KindEvidence)
	if !ok {
		return
	}
	fw, _, err := s.growthFramework(ctx, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	var problems []trellis.FieldError
	f := evidenceFilter(q, &problems)
	if err := problemsError(problems); err != nil {
		s.fail(w, r, withHint(err, "Start again", []link{{"The whole journal", journalURL(p.ID)}}))
		return
	}
	f.PersonID, f.Limit = p.ID, 20
	f.Visibilities = s.readableVisibilities(r, t)
	me := s.actor(r).Person
	v := journalView{Head: s.growthHead(r, p, "journal", "Journal"), P: p, Self: me != nil && me.ID == p.ID, Q: f.Query, Competency: f.Competency, Activity: f.Activity,
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		CanCreate: s.can(r, trellis.ActionCreate, trellis.Target{Kind: trellis.KindEvidence, Owner: t.Owner, OwnerChain: t.OwnerChain}),
		Hidden:    len(f.Visibilities) < len(trellis.Visibilities)}
	v.Filtered = v.Q != "" || v.Competency != "" || v.Activity != "" || v.From != "" || v.To != ""
	for _, c := range fw.Competencies {
		v.Competencies = append(v.Competencies, choice{ID: c.ID, Name: c.Name, Checked: c.ID == f.Competency})
	}
	for _, a := range fw.Activities {
		v.Activities = append(v.Activities, choice{ID: a.ID, Name: a.Name, Checked: a.ID == f.Activity})
	}
	var page trellis.EvidencePage
	if len(f.Visibilities) > 0 {
		page, err = s.evidence.ListEvidence(ctx, f)
		if err != nil {
			if trellis.ErrorCode(err) == trellis.EINVALID && f.Cursor != "" {
				err = withHint(err, "Start again", []link{{"First page", v.pageURL("")}})
			}
			s.fail(w, r, err)
			return
		}
	}
	n := fwNames{fw}
	for _, e := range page.Items {
		row := journalRow{E: e, URL: entryURL(p.ID, e.ID), Activity: n.activity(e.Activity), Visibility: visibilityLabel(e.Visibility),
			CanEdit: s.can(r, trellis.ActionEdit, evidenceTarget(t, e))}
		for _, c := range e.Competencies {
			row.Competencies = append(row.Competencies, choice{ID: c, Name: n.competency(c)})
		}
		if sn, ok := page.Snippets[e.ID]; ok && sn != "" {
			row.Snippet = markOnly(sn)
		}
		v.Rows = append(v.Rows, row)
	}
	if page.NextCursor != "" {
		v.Next = v.pageURL(page.NextCursor)
	}
	if f.Cursor != "" {
		v.First = v.pageURL("")
	}
	switch {
	case q.Get("added") != "":
		v.Notice = "Added to the journal."
	case q.Get("deleted") != "":
		v.Notice = "The entry was deleted."
	case q.Get("imported") != "":
		v.Notice = fmt.Sprintf("Imported %s entries.", q.Get("imported"))
	}
	title := "Journal · " + p.Name
	s.render(w, r, http.StatusOK, "journal", layoutPage(title, "journal", v))
}

// Import.

type evidenceImportView struct {
	P        *trellis.Person
	Text     string
	Message  string
	Problems []importProblem
	Columns  string
}

func (s *Server) evidenceImportForm(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.personTarget(r.Context(), trellis.KindEvidence, personID(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := evidenceImportView{P: p, Columns: strings.Join(importcsv.EvidenceColumns, ",")}
	s.render(w, r, http.StatusOK, "evidence_import", layoutPage("Import evidence", "journal", v))
}

func (s *Server) evidenceImportSubmit(w http.ResponseWriter, r *http.Request) {
	_, p, ok := s.growthTarget(w, r, trellis.KindEvidence)
	if !ok {
		return
	}
	v := evidenceImportView{P: p, Columns: strings.Join(importcsv.EvidenceColumns, ",")}
	fail := func(err error) {
		err = domainError(err)
		if c := trellis.ErrorCode(err); c == trellis.EINTERNAL || c == trellis.EUNAVAILABLE {
			s.fail(w, r, err)
			return
		}
		v.Message = trellis.ErrorMessage(err)
		for _, d := range trellis.ErrorDetails(err) {
			row, col, ok := strings.Cut(d.Field, ": ")
			if !ok || !strings.HasPrefix(row, "row ") {
				row, col = "", d.Field
			}
			v.Problems = append(v.Problems, importProblem{Row: strings.TrimPrefix(row, "row "), Column: col, Message: d.Message})
		}
		s.render(w, r, ErrorStatus(err), "evidence_import", layoutPage("Import evidence", "journal", v))
	}
	name, data, text, err := uploadedCSV(r)
	v.Text = text
	if err != nil {
		fail(err)
		return
	}
	rows, err := importcsv.Evidence(name, strings.NewReader(string(data)))
	if err != nil {
		fail(err)
		return
	}
	fw, _, err := s.growthFramework(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range rows {
		rows[i].Evidence.PersonID, rows[i].Evidence.FrameworkID = p.ID, fw.ID
	}
	n, err := s.evidence.ImportEvidence(r.Context(), p.ID, rows)
	if err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s?imported=%d", journalURL(p.ID), n), http.StatusSeeOther)
}
