package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	trellis "trellis"
	"trellis/auth"
	"trellis/defaults"
	"trellis/sqlstore"
)

// trellis demo: a fresh SQLite file with the default framework, the demo
// organisation (defaults.DemoOrganisation) and what it has been doing
// (defaults.NewDemoSample), loaded through the store's services before the
// server starts, so that nobody sees a half-loaded demo.

func cmdDemo(ctx context.Context, e *env, args []string) error {
	start := time.Now()
	fs := newFlagSet(e, "demo", "demo [--addr :8080]")
	e.config.bindServer(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "trellis-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	e.config.DB = filepath.Join(dir, "trellis.db")
	if err := e.config.Validate(); err != nil {
		return err
	}
	logger := newLogger(e.config, e.stderr)
	db, err := openStore(ctx, e.config, logger)
	if err != nil {
		return err
	}
	demo, err := loadDemo(cliContext(ctx), db, time.Now())
	if err = errors.Join(err, db.Close()); err != nil {
		return err
	}
	m := &Main{Config: e.config, Logger: logger}
	if err := m.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Trellis demo is ready in %d ms at %s\n", time.Since(start).Milliseconds(), m.URL())
	fmt.Fprintf(e.stdout, "Database: %s (a fresh SQLite file, removed when the demo stops)\n", e.config.DB)
	fmt.Fprintf(e.stdout, "Sample: %s\n\n", demo.summary())
	fmt.Fprintf(e.stdout, "Sign in with any of these; the password of every demo account is %s\n", defaults.DemoPassword)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, l := range demo.logins {
		fmt.Fprintf(tw, "  %s\t%s\n", l.Email, l.What)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nStop with Ctrl-C.")
	err = m.Wait(ctx)
	return errors.Join(err, m.Close())
}

// demoLoaded is what loadDemo put in the database.
type demoLoaded struct {
	logins []defaults.DemoLogin
	sample defaults.DemoSample
}

// summary says in one line what the sample holds.
func (d *demoLoaded) summary() string {
	entries := 0
	for _, j := range d.sample.Journals {
		entries += len(j.Entries)
	}
	return fmt.Sprintf("%d journal entries of %d people, %d growth plans, %d career conversations, %d promotion documents in %d cycles, %d openings",
		entries, len(d.sample.Journals), len(d.sample.Plans), len(d.sample.Conversations), len(d.sample.Documents),
		len(d.sample.Cycles), len(d.sample.Openings))
}

// loadDemo fills a new database with the demo organisation and its sample,
// as of now. It sets db.Clock while it loads (promotion documents have a
// history dated in the past, through the workflow's own checks), so db must
// not serve anyone meanwhile.
func loadDemo(ctx context.Context, db *sqlstore.DB, now time.Time) (*demoLoaded, error) {
	logins, people, err := loadDemoOrganisation(ctx, db, now)
	if err != nil {
		return nil, err
	}
	d := &demoLoaded{logins: logins, sample: defaults.NewDemoSample(now)}
	clock := db.Clock
	defer func() { db.Clock = clock }()
	l := &demoLoader{ctx: ctx, db: db, people: people, clock: clock}
	if err := l.load(d.sample); err != nil {
		return nil, fmt.Errorf("demo sample: %w", err)
	}
	return d, nil
}

// loadDemoOrganisation adds the demo people, all with the demo password,
// and returns the logins worth trying and the people by email.
func loadDemoOrganisation(ctx context.Context, db *sqlstore.DB, now time.Time) ([]defaults.DemoLogin, map[string]*trellis.Person, error) {
	rows, logins := defaults.DemoOrganisation(now)
	svc := sqlstore.NewPersonService(db)
	if _, err := svc.ImportPeople(ctx, rows); err != nil {
		return nil, nil, err
	}
	h, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return nil, nil, err
	}
	// One hash serves every account: they share the printed password, and
	// hashing it forty times would slow the start for nothing.
	phc, err := h.Hash(defaults.DemoPassword)
	if err != nil {
		return nil, nil, err
	}
	creds := sqlstore.NewCredentialStore(db)
	people := map[string]*trellis.Person{}
	for _, r := range rows {
		p, err := svc.FindPersonByEmail(ctx, r.Person.Email)
		if err != nil {
			return nil, nil, err
		}
		if err := creds.SetPasswordHash(ctx, p.ID, phc); err != nil {
			return nil, nil, err
		}
		people[p.Email] = p
	}
	return logins, people, nil
}

// demoLoader writes the sample through the services, each write as the
// person who would make it.
type demoLoader struct {
	ctx    context.Context
	db     *sqlstore.DB
	people map[string]*trellis.Person
	clock  trellis.Clock
	cycles []int64
	// entries are the ids of the journal entries by person and title.
	entries map[string]map[string]int64
}

// as returns the context of a write by the person with the email.
func (l *demoLoader) as(email string) (context.Context, *trellis.Person, error) {
	p, ok := l.people[email]
	if !ok {
		return nil, nil, fmt.Errorf("%s is not in the demo organisation", email)
	}
	return trellis.NewContextWithActor(l.ctx, trellis.Actor{Person: p}), p, nil
}

func (l *demoLoader) id(email string) int64 {
	if p, ok := l.people[email]; ok {
		return p.ID
	}
	return 0 // refused by the service as an unknown person
}

// at makes the store's clock read t until the next call; the zero time
// gives back the clock the database had.
func (l *demoLoader) at(t time.Time) {
	if t.IsZero() {
		l.db.Clock = l.clock
		return
	}
	l.db.Clock = &trellis.FixedClock{T: t.UTC()}
}

func (l *demoLoader) cycle(i int) *int64 {
	if i < 0 || i >= len(l.cycles) {
		return nil
	}
	id := l.cycles[i]
	return &id
}

func (l *demoLoader) load(s defaults.DemoSample) error {
	for _, step := range []func(defaults.DemoSample) error{
		l.loadCycles, l.loadDocuments, l.loadJournals, l.loadPlans, l.loadConversations, l.loadReadiness,
		l.loadProjections, l.loadOpenings, l.loadCommunity,
	} {
		if err := step(s); err != nil {
			return err
		}
	}
	return nil
}

func (l *demoLoader) loadCycles(s defaults.DemoSample) error {
	ctx, _, err := l.as("morgan.reyes@example.com")
	if err != nil {
		return err
	}
	svc := sqlstore.NewCycleService(l.db)
	for _, c := range s.Cycles {
		// Each cycle was set up a month before its drafting began.
		l.at(c.Phases[trellis.PhaseDrafting].AddDate(0, 0, -30).Add(10 * time.Hour))
		if err := svc.CreateCycle(ctx, &c); err != nil {
			return fmt.Errorf("cycle %s: %w", c.Name, err)
		}
		l.cycles = append(l.cycles, c.ID)
	}
	l.at(time.Time{})
	return nil
}

// loadDocuments replays each document's history on the store's clock set
// to each step's time, so the workflow checks the dates as it would have.
func (l *demoLoader) loadDocuments(s defaults.DemoSample) error {
	docs := sqlstore.NewDocumentService(l.db)
	cycles := sqlstore.NewCycleService(l.db)
	defer l.at(time.Time{})
	for _, dd := range s.Documents {
		var doc *trellis.Document
		threads := map[int]int64{}
		for i, st := range dd.Steps {
			l.at(st.At)
			ctx, _, err := l.as(st.Actor)
			if err != nil {
				return err
			}
			switch st.Do {
			case defaults.StepCreate:
				doc = &trellis.Document{PersonID: l.id(dd.Candidate), TargetRole: dd.TargetRole, Visibility: dd.Visibility, CycleID: l.cycle(dd.Cycle)}
				err = docs.CreateDocument(ctx, doc)
			case defaults.StepWrite:
				version := 0
				for _, sec := range doc.Sections {
					if sec.ID == st.Section {
						version = sec.Version
					}
				}
				doc, err = docs.SaveSection(ctx, doc.ID, st.Section, st.Text, version, false)
			case defaults.StepMove:
				if doc, err = docs.FindDocument(ctx, doc.ID); err == nil {
					doc, err = docs.MoveDocument(ctx, doc.ID, st.To, st.Note, doc.Version)
				}
			case defaults.StepComment:
				c := &trellis.Comment{DocumentID: doc.ID, SectionID: st.Section, Text: st.Text, OnReviewCopy: st.ReviewCopy}
				if err = docs.AddComment(ctx, c); err == nil {
					threads[i] = c.ID
				}
			case defaults.StepReply:
				thread := threads[st.Thread]
				err = docs.AddComment(ctx, &trellis.Comment{DocumentID: doc.ID, ThreadID: &thread, Text: st.Text})
			case defaults.StepResolve:
				err = docs.ResolveComment(ctx, threads[st.Thread])
			case defaults.StepDecide:
				err = cycles.RecordDecision(ctx, &trellis.Decision{DocumentID: doc.ID, Approved: st.Approved, Rationale: st.Note})
				if err == nil {
					doc, err = docs.FindDocument(ctx, doc.ID)
				}
			default:
				err = fmt.Errorf("unknown step %q", st.Do)
			}
			if err != nil {
				return fmt.Errorf("document of %s, step %d (%s %s): %w", dd.Candidate, i, st.Do, st.To+st.Section, err)
			}
		}
	}
	return nil
}

func (l *demoLoader) loadJournals(s defaults.DemoSample) error {
	svc := sqlstore.NewEvidenceService(l.db)
	wanted := map[string]bool{}
	for _, it := range s.Checklist {
		if len(it.Evidence) > 0 {
			wanted[it.Email] = true
		}
	}
	l.entries = map[string]map[string]int64{}
	for _, j := range s.Journals {
		ctx, p, err := l.as(j.Email)
		if err != nil {
			return err
		}
		rows := make([]trellis.EvidenceImportRow, len(j.Entries))
		for i, e := range j.Entries {
			rows[i] = trellis.EvidenceImportRow{Line: i + 1, Evidence: e}
		}
		if _, err := svc.ImportEvidence(ctx, p.ID, rows); err != nil {
			return fmt.Errorf("journal of %s: %w", j.Email, err)
		}
		if !wanted[j.Email] {
			continue
		}
		page, err := svc.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: p.ID, Limit: trellis.MaxListLimit})
		if err != nil {
			return err
		}
		l.entries[j.Email] = map[string]int64{}
		for _, e := range page.Items {
			l.entries[j.Email][e.Title] = e.ID
		}
	}
	return nil
}

func (l *demoLoader) loadPlans(s defaults.DemoSample) error {
	svc := sqlstore.NewGrowthService(l.db)
	for _, dp := range s.Plans {
		ctx, p, err := l.as(dp.Email)
		if err != nil {
			return err
		}
		plan := dp.Plan
		plan.PersonID = p.ID
		if err := svc.SavePlan(ctx, &plan, 0); err != nil {
			return fmt.Errorf("growth plan of %s: %w", dp.Email, err)
		}
	}
	return nil
}

func (l *demoLoader) loadConversations(s defaults.DemoSample) error {
	svc := sqlstore.NewGrowthService(l.db)
	for _, dc := range s.Conversations {
		mctx, m, err := l.as(dc.Manager)
		if err != nil {
			return err
		}
		pctx, p, err := l.as(dc.Email)
		if err != nil {
			return err
		}
		c := &trellis.Conversation{PersonID: p.ID, ManagerID: m.ID, Date: dc.Date, Notes: dc.Notes}
		if err := svc.RecordConversation(mctx, c); err != nil {
			return fmt.Errorf("conversation with %s: %w", dc.Email, err)
		}
		if dc.Confirmed {
			if err := svc.ConfirmConversation(pctx, c.ID); err != nil {
				return fmt.Errorf("confirming the conversation with %s: %w", dc.Email, err)
			}
		}
	}
	return nil
}

func (l *demoLoader) loadReadiness(s defaults.DemoSample) error {
	svc := sqlstore.NewReadinessService(l.db)
	for _, da := range s.Assessments {
		ctx, _, err := l.as(da.Assessor)
		if err != nil {
			return err
		}
		a := &trellis.Assessment{PersonID: l.id(da.Email), FrameworkID: sqlstore.DefaultFrameworkID, RoleID: da.RoleID,
			Competency: da.Competency, By: da.By, Rating: da.Rating, Comment: da.Comment}
		l.at(da.At)
		err = svc.SaveAssessment(ctx, a)
		l.at(time.Time{})
		if err != nil {
			return fmt.Errorf("assessment of %s on %s: %w", da.Email, da.Competency, err)
		}
	}
	for _, di := range s.Checklist {
		ctx, p, err := l.as(di.Email)
		if err != nil {
			return err
		}
		it := &trellis.ChecklistItem{PersonID: p.ID, FrameworkID: sqlstore.DefaultFrameworkID, RoleID: di.RoleID, Kind: di.Kind, Key: di.Key, State: di.State}
		for _, title := range di.Evidence {
			id, ok := l.entries[di.Email][title]
			if !ok {
				return fmt.Errorf("checklist of %s: no entry titled %q", di.Email, title)
			}
			it.EvidenceIDs = append(it.EvidenceIDs, id)
		}
		if err := svc.SaveChecklistItem(ctx, it); err != nil {
			return fmt.Errorf("checklist item %s of %s: %w", di.Key, di.Email, err)
		}
	}
	return nil
}

func (l *demoLoader) loadProjections(s defaults.DemoSample) error {
	svc := sqlstore.NewCycleService(l.db)
	for _, dp := range s.Projections {
		ctx, m, err := l.as(dp.Manager)
		if err != nil {
			return err
		}
		p := &trellis.Projection{PersonID: l.id(dp.Email), ManagerID: m.ID, TargetRole: dp.TargetRole, CycleID: l.cycle(dp.Cycle),
			Status: dp.Status, Note: dp.Note}
		if err := svc.SaveProjection(ctx, p, 0); err != nil {
			return fmt.Errorf("projection of %s: %w", dp.Email, err)
		}
	}
	return nil
}

func (l *demoLoader) loadOpenings(s defaults.DemoSample) error {
	svc := sqlstore.NewOpeningService(l.db)
	for _, ds := range s.Subscriptions {
		ctx, p, err := l.as(ds.Email)
		if err != nil {
			return err
		}
		if err := svc.Subscribe(ctx, &trellis.OpeningSubscription{PersonID: p.ID, RoleID: ds.RoleID, Track: ds.Track}); err != nil {
			return fmt.Errorf("subscription of %s: %w", ds.Email, err)
		}
	}
	for _, do := range s.Openings {
		ctx, by, err := l.as(do.CreatedBy)
		if err != nil {
			return err
		}
		o := do.Opening
		o.HiringManagerID, o.CreatedBy = l.id(do.HiringManager), by.ID
		if err := svc.CreateOpening(ctx, &o); err != nil {
			return fmt.Errorf("opening for %s: %w", o.RoleID, err)
		}
		for _, in := range do.Interested {
			ictx, p, err := l.as(in.Email)
			if err != nil {
				return err
			}
			if err := svc.ExpressInterest(ictx, o.ID, p.ID, in.Note); err != nil {
				return fmt.Errorf("interest of %s: %w", in.Email, err)
			}
		}
	}
	return nil
}

func (l *demoLoader) loadCommunity(s defaults.DemoSample) error {
	chats := sqlstore.NewChatService(l.db)
	for _, dc := range s.Chats {
		ctx, from, err := l.as(dc.From)
		if err != nil {
			return err
		}
		c := &trellis.Chat{RequesterID: from.ID, RecipientID: l.id(dc.To), Kind: dc.Kind, Note: dc.Note}
		if err := chats.RequestChat(ctx, c); err != nil {
			return fmt.Errorf("chat from %s: %w", dc.From, err)
		}
		if dc.Answer != nil {
			actx, to, err := l.as(dc.To)
			if err != nil {
				return err
			}
			if _, err := chats.AnswerChat(actx, c.ID, to.ID, *dc.Answer, c.Version); err != nil {
				return fmt.Errorf("answer of %s: %w", dc.To, err)
			}
		}
	}
	for _, da := range s.AMAs {
		ctx, host, err := l.as(da.Host)
		if err != nil {
			return err
		}
		a := &trellis.AMA{FrameworkID: sqlstore.DefaultFrameworkID, RoleID: da.RoleID, Date: da.Date, HostID: host.ID, Topic: da.Topic,
			RecordingURL: da.RecordingURL, CreatedBy: host.ID}
		if err := chats.CreateAMA(ctx, a); err != nil {
			return fmt.Errorf("ask-me-anything of %s: %w", da.Host, err)
		}
	}
	mentoring := sqlstore.NewMentoringService(l.db)
	for _, ds := range s.Sessions {
		ctx, host, err := l.as(ds.Host)
		if err != nil {
			return err
		}
		se := &trellis.Session{HostID: host.ID, Kind: ds.Kind, Date: ds.Date, Topic: ds.Topic, Minutes: ds.Minutes, Link: ds.Link}
		for _, a := range ds.Attendees {
			se.AttendeeIDs = append(se.AttendeeIDs, l.id(a))
		}
		if err := mentoring.LogSession(ctx, se); err != nil {
			return fmt.Errorf("session of %s: %w", ds.Host, err)
		}
		if ds.ToEvidence {
			if _, err := mentoring.SessionToEvidence(ctx, se.ID); err != nil {
				return fmt.Errorf("session of %s as evidence: %w", ds.Host, err)
			}
		}
	}
	for _, dm := range s.Mentorships {
		ctx, mentor, err := l.as(dm.Mentor)
		if err != nil {
			return err
		}
		ms := &trellis.Mentorship{MentorID: mentor.ID, MenteeID: l.id(dm.Mentee), Goal: dm.Goal, StartsOn: dm.StartsOn}
		if err := mentoring.StartMentorship(ctx, ms); err != nil {
			return fmt.Errorf("mentorship of %s: %w", dm.Mentor, err)
		}
		for _, ci := range dm.CheckIns {
			cctx, author, err := l.as(ci.Author)
			if err != nil {
				return err
			}
			if err := mentoring.AddCheckIn(cctx, ms.ID, &trellis.CheckIn{AuthorID: author.ID, Date: ci.Date, Notes: ci.Notes}); err != nil {
				return fmt.Errorf("check-in of %s: %w", ci.Author, err)
			}
		}
	}
	return nil
}
