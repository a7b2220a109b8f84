package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"trellis"
)

// Reminders are the scheduled notifications that keep the cadence. Each
// goes through the inbox (and so the person's channels), and each is sent
// once per period: its key (reminder, period, people) is inserted into
// reminders_sent in the same transaction as the notification, and a key
// already there sends nothing. The jobs may therefore run as often as
// convenient (daily) and on any node.
type Reminders struct {
	db *DB
	// DeadlineLead is how long before the nomination deadline managers are
	// reminded of approved documents not yet nominated; 3 days by default.
	DeadlineLead time.Duration
}

// NewReminders returns the reminders of db.
func NewReminders(db *DB) *Reminders { return &Reminders{db: db, DeadlineLead: 3 * 24 * time.Hour} }

// remindOnce notifies n unless key was already sent, and reports whether
// it did.
func remindOnce(ctx context.Context, tx *Tx, key string, n *trellis.Notification) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO reminders_sent (key, person_id, sent_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		key, n.PersonID, formatTime(tx.now))
	if err != nil {
		return false, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return false, err
	}
	return true, notify(ctx, tx, n)
}

// quarter returns t's quarter as "2026-Q1" and its first day.
func quarter(t time.Time) (string, time.Time) {
	q := (int(t.Month()) - 1) / 3
	return fmt.Sprintf("%d-Q%d", t.Year(), q+1), time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
}

type idNames struct {
	id    int64
	names []string
}

// groupNames runs q (rows of recipient id and a name) and groups the names
// by recipient, in order.
func groupNames(ctx context.Context, tx *Tx, q string, a ...any) ([]idNames, error) {
	rows, err := tx.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []idNames
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].id != id {
			out = append(out, idNames{id: id})
		}
		out[len(out)-1].names = append(out[len(out)-1].names, name)
	}
	return out, rows.Err()
}

// run sends one reminder per group, keyed by prefix and the recipient.
func (r *Reminders) run(ctx context.Context, q string, a []any, key func(id int64) string, msg func(g idNames) *trellis.Notification) (int, error) {
	sent := 0
	err := r.db.update(ctx, func(tx *Tx) error {
		sent = 0
		groups, err := groupNames(ctx, tx, q, a...)
		if err != nil {
			return err
		}
		for _, g := range groups {
			n := msg(g)
			n.PersonID = g.id
			ok, err := remindOnce(ctx, tx, key(g.id), n)
			if err != nil {
				return err
			}
			if ok {
				sent++
			}
		}
		return nil
	})
	return sent, err
}

func nameList(names []string) string {
	if len(names) > 10 {
		return strings.Join(names[:10], ", ") + fmt.Sprintf(" and %d more", len(names)-10)
	}
	return strings.Join(names, ", ")
}

// ConversationsDue reminds each manager, once a quarter, of the reports
// with no confirmed career conversation this quarter.
func (r *Reminders) ConversationsDue(ctx context.Context) (int, error) {
	now := r.db.Clock.Now().UTC()
	q, start := quarter(now)
	return r.run(ctx, `
		SELECT m.id, p.name FROM people p JOIN people m ON m.id = p.manager_id
		WHERE p.active AND m.active AND NOT EXISTS (
			SELECT 1 FROM conversations c WHERE c.person_id = p.id AND c.confirmed_at IS NOT NULL AND c.date >= $1)
		ORDER BY m.id, p.name_key`, []any{storedDate(start)},
		func(id int64) string { return fmt.Sprintf("conversation/%s/%d", q, id) },
		func(g idNames) *trellis.Notification {
			return &trellis.Notification{Kind: "reminder.conversation", URL: "/team",
				Title: fmt.Sprintf("Career conversations due this quarter (%s)", q),
				Body:  "No confirmed career conversation yet this quarter with: " + nameList(g.names) + "."}
		})
}

// PlansDue reminds each person whose growth plan is of an earlier
// half-year to refresh it, once per half-year.
func (r *Reminders) PlansDue(ctx context.Context) (int, error) {
	period := trellis.Period(r.db.Clock.Now().UTC())
	return r.run(ctx, `
		SELECT p.id, g.period FROM growth_plans g JOIN people p ON p.id = g.person_id
		WHERE p.active AND g.period < $1 ORDER BY p.id`, []any{period},
		func(id int64) string { return fmt.Sprintf("plan/%s/%d", period, id) },
		func(g idNames) *trellis.Notification {
			return &trellis.Notification{Kind: "reminder.plan", URL: fmt.Sprintf("/people/%d/plan", g.id),
				Title: "Time to refresh your growth plan",
				Body:  fmt.Sprintf("Your growth plan is for %s; plan the goals of %s with your manager.", g.names[0], period)}
		})
}

// ReviewsWaiting reminds, once a week (ISO week), each manager with
// documents in manager review, and for documents in peer review the peer
// managers asked to comment (trellis.PeerReviewers) who have not commented
// in the round yet.
func (r *Reminders) ReviewsWaiting(ctx context.Context) (int, error) {
	y, w := r.db.Clock.Now().UTC().ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	n1, err := r.run(ctx, `
		SELECT d.manager_id, d.title FROM documents d JOIN people m ON m.id = d.manager_id
		WHERE d.state = 'manager-review' AND m.active ORDER BY d.manager_id, d.id`, nil,
		func(id int64) string { return fmt.Sprintf("review/%s/manager/%d", week, id) },
		func(g idNames) *trellis.Notification {
			return &trellis.Notification{Kind: "reminder.review", URL: "/team",
				Title: fmt.Sprintf("%d promotion document(s) wait for your review", len(g.names)),
				Body:  "Waiting for your manager review: " + nameList(g.names) + "."}
		})
	if err != nil {
		return n1, err
	}
	n2 := 0
	err = r.db.update(ctx, func(tx *Tx) error {
		n2 = 0
		rounds, err := openRounds(ctx, tx)
		if err != nil {
			return err
		}
		byPerson := map[int64][]string{}
		var ids []int64
		for _, p := range rounds {
			title, _, err := roundNames(ctx, tx, p)
			if err != nil {
				return err
			}
			for _, id := range p.Pending() {
				if _, ok := byPerson[id]; !ok {
					ids = append(ids, id)
				}
				byPerson[id] = append(byPerson[id], title)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			names := byPerson[id]
			ok, err := remindOnce(ctx, tx, fmt.Sprintf("review/%s/peer/%d", week, id), &trellis.Notification{PersonID: id,
				Kind: "reminder.review", URL: "/reviews",
				Title: fmt.Sprintf("%d promotion document(s) wait for your peer review", len(names)),
				Body:  "Open for your comments as a peer manager: " + nameList(names) + "."})
			if err != nil {
				return err
			}
			if ok {
				n2++
			}
		}
		return nil
	})
	return n1 + n2, err
}

// roundNames returns the title of the document of round p and its
// candidate's name.
func roundNames(ctx context.Context, tx *Tx, p *trellis.PeerReview) (title, candidate string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT d.title, p.name FROM documents d JOIN people p ON p.id = d.person_id WHERE d.id = $1`,
		p.DocumentID).Scan(&title, &candidate)
	return title, candidate, err
}

// PeerReviewDeadlines sends the reminders of peer-review deadlines, each
// once per round of review:
//   - from trellis.PeerReviewReminderDays working days before the due day
//     until its end, to each peer manager asked who has not commented in
//     the round (reminder.peer-review-due), leading to the review copy;
//   - once the due day is over and the review still open, to the
//     candidate's manager (reminder.peer-review-passed), with how many
//     peer managers commented: the deadline closes nothing, the manager
//     decides.
func (r *Reminders) PeerReviewDeadlines(ctx context.Context) (int, error) {
	type notice struct {
		key string
		n   *trellis.Notification
	}
	sent := 0
	err := r.db.update(ctx, func(tx *Tx) error {
		sent = 0
		rounds, err := openRounds(ctx, tx)
		if err != nil {
			return err
		}
		now := tx.now
		for _, p := range rounds {
			remind, passed := p.ReminderDue(now), p.Passed(now)
			if !remind && !passed {
				continue
			}
			title, candidate, err := roundNames(ctx, tx, p)
			if err != nil {
				return err
			}
			due := p.Due.Format("Monday 2 January 2006")
			tally := fmt.Sprintf("%d of the %d peer managers asked", len(p.Commented), len(p.Reviewers))
			var notices []notice
			if remind {
				for _, id := range p.Pending() {
					notices = append(notices, notice{fmt.Sprintf("peer-review/%d/due/%d", p.ID, id), &trellis.Notification{
						PersonID: id, Kind: "reminder.peer-review-due", URL: fmt.Sprintf("/documents/%d/review", p.DocumentID),
						Title: fmt.Sprintf("Your comments on %s's promotion document are due %s", candidate, p.Due.Format("Mon 2 Jan")),
						Body: fmt.Sprintf("%s: %s have commented on the review copy so far. Comment by the end of %s; later comments are still welcome, marked late.",
							title, tally, due)}})
				}
			}
			if passed {
				chain, err := managerChainIDs(ctx, tx, p.PersonID)
				if err != nil {
					return err
				}
				active := false
				if len(chain) > 0 {
					if err := tx.QueryRowContext(ctx, `SELECT active FROM people WHERE id = $1`, chain[0]).Scan(&active); err != nil {
						return err
					}
				}
				if active {
					comments := fmt.Sprintf("%d comments", p.Comments)
					if p.Comments == 1 {
						comments = "1 comment"
					}
					notices = append(notices, notice{fmt.Sprintf("peer-review/%d/passed/%d", p.ID, chain[0]), &trellis.Notification{
						PersonID: chain[0], Kind: "reminder.peer-review-passed", URL: fmt.Sprintf("/documents/%d", p.DocumentID),
						Title: fmt.Sprintf("Peer comments on %s's promotion document were due %s", candidate, p.Due.Format("Mon 2 Jan")),
						Body: fmt.Sprintf("%s: %s commented (%s, %d late). The deadline closes nothing: close the peer review when you are ready.",
							title, tally, comments, p.Late)}})
				}
			}
			for _, x := range notices {
				ok, err := remindOnce(ctx, tx, x.key, x.n)
				if err != nil {
					return err
				}
				if ok {
					sent++
				}
			}
		}
		return nil
	})
	return sent, err
}

// Deadlines reminds managers with approved documents not yet nominated,
// once per cycle, when the cycle's nomination deadline is less than
// DeadlineLead away.
func (r *Reminders) Deadlines(ctx context.Context) (int, error) {
	now := r.db.Clock.Now().UTC()
	type due struct {
		id       int64
		name     string
		deadline time.Time
	}
	var cycles []due
	err := r.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, name, phases FROM cycles`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c due
			var phases string
			if err := rows.Scan(&c.id, &c.name, &phases); err != nil {
				return err
			}
			var days map[string]string
			if json.Unmarshal([]byte(phases), &days) != nil {
				continue
			}
			d, err := time.Parse(dateFormat, days[trellis.PhaseNominationDeadline])
			if err != nil {
				continue
			}
			if now.Before(d) && d.Sub(now) <= r.DeadlineLead {
				c.deadline = d
				cycles = append(cycles, c)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range cycles {
		n, err := r.run(ctx, `
			SELECT d.manager_id, d.title FROM documents d JOIN people m ON m.id = d.manager_id
			WHERE d.state = 'approved' AND m.active ORDER BY d.manager_id, d.id`, nil,
			func(id int64) string { return fmt.Sprintf("deadline/%d/%d", c.id, id) },
			func(g idNames) *trellis.Notification {
				return &trellis.Notification{Kind: "reminder.deadline", URL: fmt.Sprintf("/cycles/%d", c.id),
					Title: fmt.Sprintf("Nominations for %s close on %s", c.name, c.deadline.Format("2 Jan 2006")),
					Body:  "Approved but not yet nominated: " + nameList(g.names) + "."}
			})
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// RunAll sends every reminder that is due, for a daily job.
func (r *Reminders) RunAll(ctx context.Context) error {
	var errs []string
	for _, f := range []func(context.Context) (int, error){r.ConversationsDue, r.PlansDue, r.ReviewsWaiting, r.Deadlines, r.PeerReviewDeadlines} {
		if _, err := f(ctx); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("reminders: %s", strings.Join(errs, "; "))
	}
	return nil
}
