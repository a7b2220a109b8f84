// Package seed builds a realistic synthetic organisation in a database, for
// demos, load tests and benchmarks: directors, managers with about ten
// reports each, engineers across the career ladder in teams and regions,
// and their evidence journals, growth plans, career conversations and
// readiness assessments on the default support framework.
//
// It writes through batched multi-row INSERTs in large transactions, not
// through the services: a million journal entries take minutes, not hours.
// The rows are built to pass the services' own checks.
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"trellis"
	"trellis/defaults"
	"trellis/sqlstore"
)

// Options say how big the organisation is. Seed makes a run repeatable.
type Options struct {
	People            int
	EvidencePerPerson int
	Seed              int64
}

// Progress is told how far each stage is; it may be nil.
type Progress func(stage string, done, total int)

// Email domain of seeded people.
const Domain = "seed.example"

// rowsPerTx bounds the rows written in one transaction.
const rowsPerTx = 50_000

type person struct {
	id        int64
	email     string
	name      string
	role      string
	manager   int64 // 0: none
	since     time.Time
	access    string
	team      string
	region    string
	evidences int
}

// Run builds the organisation. It imports the default framework when it
// is not stored. People get addresses under Domain with their id in them,
// so running it again adds another organisation beside the first.
func Run(ctx context.Context, db *sqlstore.DB, opt Options, progress func(stage string, done, total int)) error {
	if opt.People <= 0 {
		return trellis.Errorf(trellis.EINVALID, "seed: the number of people must be positive")
	}
	if opt.EvidencePerPerson < 0 {
		return trellis.Errorf(trellis.EINVALID, "seed: the number of evidence entries per person cannot be negative")
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	fws := sqlstore.NewFrameworkService(db)
	fw, _, err := fws.FindFramework(ctx, trellis.Ref{ID: sqlstore.DefaultFrameworkID})
	if trellis.ErrorCode(err) == trellis.ENOTFOUND {
		def, derr := defaults.Support()
		if derr != nil {
			return derr
		}
		if _, err := fws.ImportFramework(ctx, def, true); err != nil {
			return err
		}
		fw, _, err = fws.FindFramework(ctx, trellis.Ref{ID: sqlstore.DefaultFrameworkID})
	}
	if err != nil {
		return err
	}
	progress("framework", 1, 1)

	s := &seeder{db: db, fw: fw, opt: opt, r: rand.New(rand.NewPCG(uint64(opt.Seed), 0x7472656c6c6973)),
		now: db.Clock.Now().UTC(), progress: progress}
	s.today = trellis.Day(s.now)
	if err := s.people(ctx); err != nil {
		return err
	}
	if err := s.evidence(ctx); err != nil {
		return err
	}
	if err := s.growth(ctx); err != nil {
		return err
	}
	return s.fixSequences(ctx)
}

type seeder struct {
	db       *sqlstore.DB
	fw       *trellis.Framework
	opt      Options
	r        *rand.Rand
	now      time.Time
	today    time.Time
	progress Progress
	staff    []*person
}

// nextID returns the id after the largest one of table.
func (s *seeder) nextID(ctx context.Context, table string) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlstore.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table).Scan(&id)
	})
	return id, err
}

func (s *seeder) inTx(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return wrap(err)
	}
	return wrap(tx.Commit())
}

// people lays out the organisation: one head director, directors with
// about ten managers each, managers with about ten reports each.
func (s *seeder) people(ctx context.Context) error {
	n := s.opt.People
	managers := max(0, (n+10)/11)
	directors := max(1, (managers+9)/10)
	if n == 1 {
		managers = 0
	} else if directors+managers > n {
		managers = n - directors
	}
	first, err := s.nextID(ctx, "people")
	if err != nil {
		return err
	}
	ladder := []struct {
		role   string
		weight int
	}{
		{"customer-support-representative", 10}, {"associate-support-engineer", 20}, {"support-engineer", 35},
		{"senior-support-engineer", 25}, {"staff-support-engineer", 7}, {"principal-support-engineer", 3},
	}
	for _, l := range ladder {
		if _, ok := s.fw.Role(l.role); !ok {
			return fmt.Errorf("seed: framework %s has no role %q", s.fw.ID, l.role)
		}
	}
	s.staff = make([]*person, n)
	for i := range n {
		p := &person{id: first + int64(i), access: trellis.AccessEngineer}
		fn, ln := firstNames[i%len(firstNames)], lastNames[(i/len(firstNames)+i)%len(lastNames)]
		p.name = fn + " " + ln
		p.email = fmt.Sprintf("%s.%s.%d@%s", strings.ToLower(fn), strings.ToLower(ln), p.id, Domain)
		p.since = s.today.AddDate(0, 0, -30-s.r.IntN(4*365))
		switch {
		case i < directors:
			p.role, p.access = "director-of-support", trellis.AccessDirector
			if i > 0 {
				p.manager = first
			}
			p.region = regions[i%len(regions)]
			p.team = "Support leadership"
		case i < directors+managers:
			m := i - directors
			p.role = "support-engineering-manager"
			if m%7 == 0 {
				p.role = "senior-support-engineering-manager"
			}
			d := s.staff[m%directors]
			p.manager = d.id
			p.region = regions[m%len(regions)]
			p.team = teamNames[m%len(teamNames)]
			if m >= len(teamNames) {
				p.team += fmt.Sprintf(" %d", m/len(teamNames)+1)
			}
		default:
			e := i - directors - managers
			var boss *person
			if managers > 0 {
				boss = s.staff[directors+e%managers]
			} else {
				boss = s.staff[e%directors]
			}
			p.manager, p.team, p.region = boss.id, boss.team, boss.region
			w := s.r.IntN(100)
			for _, l := range ladder {
				if w < l.weight {
					p.role = l.role
					break
				}
				w -= l.weight
			}
		}
		s.staff[i] = p
	}
	// Journals differ in length: every hundredth person keeps five times
	// the average (and, like four in ten, has a plan with assessments),
	// every tenth well under half; the total is exact.
	total := n * s.opt.EvidencePerPerson
	weights := make([]float64, n)
	var sum float64
	for i := range n {
		w := 1.0
		switch {
		case i%100 == 1:
			w = 5
		case i%10 == 3:
			w = 0.4
		}
		weights[i] = w
		sum += w
	}
	given := 0
	for i, p := range s.staff {
		p.evidences = int(float64(total) * weights[i] / sum)
		given += p.evidences
	}
	for i := 0; given < total; i = (i + 1) % n {
		s.staff[i].evidences++
		given++
	}

	var rows, tags [][]any
	for _, p := range s.staff {
		var mgr any
		if p.manager != 0 {
			mgr = p.manager
		}
		ts := s.stamp(p.since)
		rows = append(rows, []any{p.id, p.email, p.name, strings.ToLower(p.name), p.role, mgr, p.since.Format(time.DateOnly),
			p.access, true, ts, ts, 1})
		tags = append(tags, []any{p.id, "team", 0, p.team, strings.ToLower(p.team)},
			[]any{p.id, "region", 0, p.region, strings.ToLower(p.region)})
	}
	w := &writer{s: s, stage: "people", total: len(rows) + len(tags)}
	if err := w.insert(ctx, "people", []string{"id", "email", "name", "name_key", "role_id", "manager_id", "role_since",
		"access", "active", "created_at", "updated_at", "version"}, rows); err != nil {
		return err
	}
	if err := w.insert(ctx, "person_tags", []string{"person_id", "kind", "position", "tag", "tag_key"}, tags); err != nil {
		return err
	}
	return w.close()
}

// stamp is the stored form of a time (as sqlstore writes it).
func (s *seeder) stamp(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

func jsonList(xs []string) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// evidence writes every person's journal.
func (s *seeder) evidence(ctx context.Context) error {
	first, err := s.nextID(ctx, "evidence")
	if err != nil {
		return err
	}
	total := s.opt.People * s.opt.EvidencePerPerson
	if total == 0 {
		return nil
	}
	acts := s.fw.Activities
	values := make([]string, len(s.fw.Values))
	for i, v := range s.fw.Values {
		values[i] = v.ID
	}
	visibilities := []trellis.Visibility{
		trellis.VisManager, trellis.VisManager, trellis.VisManager, trellis.VisManager, trellis.VisPrivate, trellis.VisPrivate,
		trellis.VisOrganisationViewer, trellis.VisOrganisationViewer, trellis.VisOrganisationViewer, trellis.VisOrganisationCommenter,
	}
	// markers of each competency, from every role's expectations
	markers := map[string][]string{}
	for _, r := range s.fw.Roles {
		for _, e := range r.Expectations {
			markers[e.Competency] = append(markers[e.Competency], e.Markers...)
		}
	}
	cols := []string{"id", "person_id", "date", "end_date", "title", "what", "part", "result", "links", "competencies",
		"activity", `"values"`, "visibility", "framework_id", "created_at", "updated_at", "version"}
	w := &writer{s: s, stage: "evidence", total: total}
	id := first
	var rows, comps [][]any
	flush := func() error {
		if err := w.insert(ctx, "evidence", cols, rows); err != nil {
			return err
		}
		if err := w.insertQuiet(ctx, "evidence_competencies", []string{"evidence_id", "competency", "person_id", "date"}, comps); err != nil {
			return err
		}
		rows, comps = rows[:0], comps[:0]
		return nil
	}
	for _, p := range s.staff {
		for range p.evidences {
			act := acts[s.r.IntN(len(acts))]
			cs := slices.Clone(act.Competencies)
			s.r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
			cs = cs[:1+s.r.IntN(min(3, len(cs)))]
			marker := ""
			if ms := markers[cs[0]]; len(ms) > 0 {
				marker = pick(s.r, ms)
			}
			title, what, part, result := entryText(s.r, act.ID, marker)
			date := s.today.AddDate(0, 0, -s.r.IntN(730))
			var end any
			if s.r.IntN(7) == 0 {
				e := date.AddDate(0, 0, 1+s.r.IntN(14))
				if !e.After(s.today) {
					end = e.Format(time.DateOnly)
				}
			}
			var links []string
			for range s.r.IntN(3) {
				links = append(links, fmt.Sprintf("https://support.example.com/tickets/%d", 100000+s.r.IntN(900000)))
			}
			var vals []string
			if s.r.IntN(2) == 0 {
				vals = append(vals, pick(s.r, values))
			}
			created := s.stamp(date.Add(time.Duration(9+s.r.IntN(9)) * time.Hour))
			d := date.Format(time.DateOnly)
			rows = append(rows, []any{id, p.id, d, end, title, what, part, result, jsonList(links), jsonList(cs),
				act.ID, jsonList(vals), string(pick(s.r, visibilities)), s.fw.ID, created, created, 1})
			for _, c := range cs {
				comps = append(comps, []any{id, c, p.id, d})
			}
			id++
			if len(rows) >= 2000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	return s.searchIndex(ctx, first, id)
}

// searchIndex adds the new entries to SQLite's full-text index in large
// steps, then merges the index. PostgreSQL's tsvector column is generated.
func (s *seeder) searchIndex(ctx context.Context, first, next int64) error {
	if s.db.Dialect != sqlstore.SQLite {
		return nil
	}
	const step = 100_000
	total := int(next - first)
	for from := first; from < next; from += step {
		to := min(from+step, next)
		if err := s.inTx(ctx, func(tx *sqlstore.Tx) error {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO evidence_fts (rowid, title, what, part, result, person_key)
				SELECT id, title, what, part, result, person_key FROM evidence WHERE id >= $1 AND id < $2`, from, to)
			return err
		}); err != nil {
			return err
		}
		s.progress("search index", int(to-first), total)
	}
	return s.inTx(ctx, func(tx *sqlstore.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO evidence_fts (evidence_fts) VALUES ('optimize')`)
		return err
	})
}

// growth writes growth plans (six in ten engineers), career conversations
// and, for four in ten, self and manager assessments and checklist items
// for their target role.
func (s *seeder) growth(ctx context.Context) error {
	period := trellis.Period(s.today)
	goalTitles := []string{
		"Run office hours every other week", "Lead a customer escalation end to end", "Write three troubleshooting docs pages",
		"Mentor an associate for six weeks", "Pair five times a week", "Ship a fix to a customer-facing bug",
		"Present a deep dive on a product area", "Take part in hiring interviews",
	}
	ratings := trellis.Ratings
	var plans, convs, assess, checks [][]any
	w := &writer{s: s, stage: "growth"}
	for i, p := range s.staff {
		if p.manager == 0 || p.access == trellis.AccessDirector {
			continue
		}
		// conversations with the manager over the last year
		for k := range s.r.IntN(4) {
			d := s.today.AddDate(0, 0, -(k*90 + s.r.IntN(60)))
			rec := s.stamp(d.Add(17 * time.Hour))
			var conf any
			if s.r.IntN(5) > 0 {
				conf = s.stamp(d.Add(41 * time.Hour))
				if d.Add(41 * time.Hour).After(s.now) {
					conf = nil
				}
			}
			if d.Add(17 * time.Hour).After(s.now) {
				rec = s.stamp(s.now)
			}
			convs = append(convs, []any{p.manager, p.id, d.Format(time.DateOnly), "Talked about what energises them and the next step.", rec, conf})
		}
		if i%10 >= 6 {
			continue
		}
		var target string
		for _, t := range s.fw.From(p.role) {
			if t.Kind == trellis.KindMerit {
				target = t.To
				break
			}
		}
		plan := trellis.GrowthPlan{Period: period, Reflection: trellis.Reflection{
			Why: "I want to grow my impact on customers and the team.", Energises: "Hard tickets and teaching others.",
			Drains: "Context switching.", LearnBest: "Pairing on real problems.", InTwoYears: "Leading technical work across teams.",
			Focus: trellis.FocusDeepen}, TargetRoleID: target, Goals: []trellis.Goal{}}
		if target != "" {
			plan.TargetFramework = s.fw.ID
		}
		for g := range 1 + s.r.IntN(trellis.MaxGoalsPerPeriod) {
			due := s.today.AddDate(0, 1+s.r.IntN(5), 0)
			plan.Goals = append(plan.Goals, trellis.Goal{ID: fmt.Sprintf("g%d", g+1), Title: pick(s.r, goalTitles),
				ActionSteps: "Book the time in the calendar; ask my manager for the first opportunity.",
				Due:         &due, Status: pick(s.r, trellis.GoalStatuses[:3])})
		}
		b, err := json.Marshal(plan)
		if err != nil {
			return err
		}
		plans = append(plans, []any{p.id, period, string(b), target, plan.TargetFramework, s.stamp(s.now), 1})
		role, ok := s.fw.Role(target)
		if !ok || i%10 >= 4 {
			continue
		}
		at := s.stamp(s.now.Add(-time.Duration(s.r.IntN(90*24)) * time.Hour))
		for k, e := range role.Expectations {
			if k >= 6 {
				break
			}
			assess = append(assess,
				[]any{p.id, s.fw.ID, s.fw.Version, target, e.Competency, trellis.BySelf, pick(s.r, ratings), "", p.id, at},
				[]any{p.id, s.fw.ID, s.fw.Version, target, e.Competency, trellis.ByManager, pick(s.r, ratings[:3]), "Discussed in our one-to-one.", p.manager, at})
		}
		for k := range role.Considerations {
			checks = append(checks, []any{p.id, s.fw.ID, target, "consideration", fmt.Sprintf("c%d", k+1),
				pick(s.r, []string{trellis.ItemOpen, trellis.ItemPlanned, trellis.ItemDone}), "[]", s.stamp(s.now)})
		}
		for _, res := range role.Resources {
			checks = append(checks, []any{p.id, s.fw.ID, target, "resource", res,
				pick(s.r, []string{trellis.ItemOpen, trellis.ItemPlanned, trellis.ItemDone}), "[]", s.stamp(s.now)})
		}
	}
	w.total = len(plans) + len(convs) + len(assess) + len(checks)
	if err := w.insert(ctx, "growth_plans", []string{"person_id", "period", "plan", "target_role_id", "target_framework", "updated_at", "version"}, plans); err != nil {
		return err
	}
	if err := w.insert(ctx, "conversations", []string{"manager_id", "person_id", "date", "notes", "recorded_at", "confirmed_at"}, convs); err != nil {
		return err
	}
	if err := w.insert(ctx, "assessments", []string{"person_id", "framework_id", "framework_version", "role_id", "competency",
		"by_kind", "rating", "comment", "assessor_id", "at"}, assess); err != nil {
		return err
	}
	if err := w.insert(ctx, "checklist_items", []string{"person_id", "framework_id", "role_id", "kind", "key", "state",
		"evidence_ids", "updated_at"}, checks); err != nil {
		return err
	}
	return w.close()
}

// fixSequences moves PostgreSQL's identity sequences past the ids the seed
// chose itself, then refreshes the planner's statistics.
func (s *seeder) fixSequences(ctx context.Context) error {
	if s.db.Dialect == sqlstore.Postgres {
		err := s.inTx(ctx, func(tx *sqlstore.Tx) error {
			for _, t := range []string{"people", "evidence"} {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT COALESCE(MAX(id), 1) FROM `+t+`))`); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s.progress("statistics", 0, 1)
	if err := s.db.Optimize(ctx); err != nil {
		return err
	}
	s.progress("statistics", 1, 1)
	return nil
}
