package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"trellis"
)

// ChatService keeps coffee chats, each side's private notes, ask-me-anything
// sessions per role and the people finder. It implements
// trellis.ChatService. Requests and answers notify the other side in the
// transaction that stores them.
type ChatService struct {
	db *DB
}

var _ trellis.ChatService = (*ChatService)(nil)

// NewChatService returns a ChatService over db.
func NewChatService(db *DB) *ChatService { return &ChatService{db: db} }

const chatColumns = `c.id, c.requester_id, c.recipient_id, c.kind, c.note, c.status, c.proposed_at, c.proposed_by, c.answer,
	c.created_at, c.updated_at, c.version`

func scanChat(r rowScanner) (*trellis.Chat, error) {
	c := new(trellis.Chat)
	var by sql.NullInt64
	if err := r.Scan(&c.ID, &c.RequesterID, &c.RecipientID, &c.Kind, &c.Note, &c.Status, scanNullTime(&c.ProposedAt), &by,
		&c.Answer, scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt), &c.Version); err != nil {
		return nil, err
	}
	if by.Valid {
		c.ProposedBy = &by.Int64
	}
	return c, nil
}

func chatNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "No such coffee chat (%d).", id)
}

func findChat(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Chat, error) {
	q := `SELECT ` + chatColumns + ` FROM chats c WHERE c.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	c, err := scanChat(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chatNotFound(id)
	}
	return c, err
}

func personName(ctx context.Context, tx *Tx, id int64) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", personNotFound(id)
	}
	return name, err
}

func chatNoun(kind string) string {
	if kind == trellis.ChatAMA {
		return "an ask-me-anything"
	}
	return "a coffee chat"
}

// RequestChat stores a new request from c.RequesterID and tells the
// recipient. A request to oneself is EINVALID; so is one to someone who
// has left.
func (s *ChatService) RequestChat(ctx context.Context, c *trellis.Chat) error {
	c.Normalize()
	if err := c.ValidateRequest(); err != nil {
		return err
	}
	out := *c
	err := s.db.update(ctx, func(tx *Tx) error {
		out = *c
		var active bool
		err := tx.QueryRowContext(ctx, `SELECT active FROM people WHERE id = $1`, out.RecipientID).Scan(&active)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !active) {
			return &trellis.Error{Code: trellis.EINVALID, Message: "That person cannot be asked for a chat.",
				Details: []trellis.FieldError{{Field: "recipient_id", Message: "no such person in the directory"}}}
		} else if err != nil {
			return err
		}
		from, err := personName(ctx, tx, out.RequesterID)
		if err != nil {
			return err
		}
		out.Status, out.CreatedAt, out.UpdatedAt, out.Version = trellis.ChatRequested, tx.now, tx.now, 1
		out.ProposedAt, out.ProposedBy, out.Answer = nil, nil, ""
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO chats (requester_id, recipient_id, kind, note, status, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, out.RequesterID, out.RecipientID, out.Kind, out.Note,
			out.Status, formatTime(tx.now), formatTime(tx.now), out.Version).Scan(&out.ID); err != nil {
			return err
		}
		return notify(ctx, tx, &trellis.Notification{PersonID: out.RecipientID, Kind: "chat.requested",
			Title: fmt.Sprintf("%s asks you for %s", from, chatNoun(out.Kind)), Body: truncateRunes(out.Note, 500),
			URL: fmt.Sprintf("/chats/%d", out.ID)})
	})
	if err != nil {
		return err
	}
	*c = out
	return nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// FindChat returns one chat.
func (s *ChatService) FindChat(ctx context.Context, id int64) (*trellis.Chat, error) {
	var c *trellis.Chat
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		c, err = findChat(ctx, tx, id, false)
		return err
	})
	return c, err
}

// ListChats lists a person's chats, newest first.
func (s *ChatService) ListChats(ctx context.Context, f trellis.ChatFilter) (trellis.ChatPage, error) {
	var a args
	p := a.add(f.PersonID)
	var where string
	switch f.Direction {
	case "incoming":
		where = "c.recipient_id = " + p
	case "outgoing":
		where = "c.requester_id = " + p
	case "":
		where = "(c.requester_id = " + p + " OR c.recipient_id = " + p + ")"
	default:
		return trellis.ChatPage{}, &trellis.Error{Code: trellis.EINVALID, Message: "The direction is incoming or outgoing.",
			Details: []trellis.FieldError{{Field: "direction", Message: "incoming or outgoing"}}}
	}
	if f.Cursor != "" {
		var id int64
		if err := decodeCursor(f.Cursor, &id); err != nil {
			return trellis.ChatPage{}, err
		}
		where += " AND c.id < " + a.add(id)
	}
	limit := trellis.ClampLimit(f.Limit)
	q := `SELECT ` + chatColumns + ` FROM chats c WHERE ` + where + ` ORDER BY c.id DESC LIMIT ` + a.add(limit+1)
	page := trellis.ChatPage{Items: []*trellis.Chat{}}
	err := s.db.view(ctx, func(tx *Tx) error {
		page.Items = page.Items[:0]
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanChat(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, c)
		}
		return rows.Err()
	})
	if err != nil {
		return trellis.ChatPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor(page.Items[limit-1].ID)
	}
	return page, nil
}

// AnswerChat applies person's answer and tells the other side.
func (s *ChatService) AnswerChat(ctx context.Context, id, person int64, ans trellis.ChatAnswer, expectedVersion int) (*trellis.Chat, error) {
	var out *trellis.Chat
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := findChat(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if !c.Side(person) {
			return chatNotFound(id)
		}
		if expectedVersion != 0 && expectedVersion != c.Version {
			return trellis.Errorf(trellis.ECONFLICT, "The chat changed since you opened it (version %d, now %d); reload it and answer again.",
				expectedVersion, c.Version)
		}
		if err := ans.Apply(c, person, tx.now); err != nil {
			return err
		}
		c.UpdatedAt, c.Version = tx.now, c.Version+1
		var proposed any
		if c.ProposedAt != nil {
			proposed = formatTime(*c.ProposedAt)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chats SET status = $1, proposed_at = $2, proposed_by = $3, answer = $4,
			updated_at = $5, version = $6 WHERE id = $7`, c.Status, proposed, c.ProposedBy, c.Answer, formatTime(tx.now), c.Version, c.ID); err != nil {
			return err
		}
		name, err := personName(ctx, tx, person)
		if err != nil {
			return err
		}
		var title string
		switch c.Status {
		case trellis.ChatAccepted:
			title = name + " accepted " + chatNoun(c.Kind)
		case trellis.ChatDeclined:
			title = name + " declined " + chatNoun(c.Kind)
		default:
			title = fmt.Sprintf("%s proposes %s for %s", name, c.ProposedAt.Format("Mon 2 Jan 2006 15:04 UTC"), chatNoun(c.Kind))
		}
		out = c
		return notify(ctx, tx, &trellis.Notification{PersonID: c.Other(person), Kind: "chat.answered", Title: title,
			Body: truncateRunes(c.Answer, 500), URL: fmt.Sprintf("/chats/%d", c.ID)})
	})
	return out, err
}

// ChatNote returns person's own note of the chat.
func (s *ChatService) ChatNote(ctx context.Context, id, person int64) (string, error) {
	var note string
	err := s.db.view(ctx, func(tx *Tx) error {
		c, err := findChat(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !c.Side(person) {
			return chatNotFound(id)
		}
		err = tx.QueryRowContext(ctx, `SELECT note FROM chat_notes WHERE chat_id = $1 AND person_id = $2`, id, person).Scan(&note)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return note, err
}

// SaveChatNote keeps person's private note of the chat; the other side
// never reads it.
func (s *ChatService) SaveChatNote(ctx context.Context, id, person int64, note string) error {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > trellis.MaxChatNotes {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The notes are too long.",
			Details: []trellis.FieldError{{Field: "notes", Message: "at most 10000 characters"}}}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		c, err := findChat(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !c.Side(person) {
			return chatNotFound(id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_notes WHERE chat_id = $1 AND person_id = $2`, id, person); err != nil {
			return err
		}
		if note == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO chat_notes (chat_id, person_id, note, updated_at) VALUES ($1, $2, $3, $4)`,
			id, person, note, formatTime(tx.now))
		return err
	})
}

// CreateAMA stores an ask-me-anything session of a role.
func (s *ChatService) CreateAMA(ctx context.Context, a *trellis.AMA) error {
	if err := a.Validate(); err != nil {
		return err
	}
	out := *a
	err := s.db.update(ctx, func(tx *Tx) error {
		out = *a
		if err := personExists(ctx, tx, out.HostID); err != nil {
			return &trellis.Error{Code: trellis.EINVALID, Message: "Choose the host from the directory.",
				Details: []trellis.FieldError{{Field: "host_id", Message: "no such person"}}}
		}
		out.CreatedAt = tx.now
		return tx.QueryRowContext(ctx, `INSERT INTO role_amas (framework_id, role_id, date, host_id, topic, recording_url, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, out.FrameworkID, out.RoleID, storedDate(out.Date), out.HostID,
			out.Topic, out.RecordingURL, out.CreatedBy, formatTime(tx.now)).Scan(&out.ID)
	})
	if err != nil {
		return err
	}
	*a = out
	return nil
}

// ListAMAs lists a role's ask-me-anything sessions, newest first.
func (s *ChatService) ListAMAs(ctx context.Context, frameworkID, roleID string) ([]*trellis.AMA, error) {
	list := []*trellis.AMA{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, framework_id, role_id, date, host_id, topic, recording_url, created_by, created_at
			FROM role_amas WHERE framework_id = $1 AND role_id = $2 ORDER BY date DESC, id DESC LIMIT 200`, frameworkID, roleID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a := new(trellis.AMA)
			var date string
			if err := rows.Scan(&a.ID, &a.FrameworkID, &a.RoleID, &date, &a.HostID, &a.Topic, &a.RecordingURL, &a.CreatedBy,
				scanTime(&a.CreatedAt)); err != nil {
				return err
			}
			if a.Date, err = time.Parse(dateFormat, date); err != nil {
				return err
			}
			list = append(list, a)
		}
		return rows.Err()
	})
	return list, err
}

// finderTop is how many competencies the finder shows per person.
const finderTop = 3

// FindPeople finds active people by role, team and the competencies their
// evidence shows most. Only entries at f.Visibilities count, and the
// store refuses to count anything narrower than organisation-viewer: the
// finder never reveals a private or manager-only entry.
func (s *ChatService) FindPeople(ctx context.Context, f trellis.FinderFilter) ([]trellis.FinderResult, error) {
	var vis []any
	for _, v := range f.Visibilities {
		if slices.Index(trellis.Visibilities, v) >= slices.Index(trellis.Visibilities, trellis.VisOrganisationViewer) {
			vis = append(vis, string(v))
		}
	}
	if len(vis) == 0 {
		for _, v := range trellis.Visibilities[2:] {
			vis = append(vis, string(v))
		}
	}
	var a args
	where := []string{"p.active"}
	if len(f.RoleIDs) > 0 {
		ids := make([]any, len(f.RoleIDs))
		for i, r := range f.RoleIDs {
			ids[i] = r
		}
		where = append(where, "p.role_id IN ("+a.placeholders(ids...)+")")
	}
	if t := strings.ToLower(strings.TrimSpace(f.Team)); t != "" {
		where = append(where, `EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.kind = 'team' AND t.tag_key = `+a.add(t)+`)`)
	}
	if f.ExcludeID > 0 {
		where = append(where, "p.id <> "+a.add(f.ExcludeID))
	}
	var counts map[int64][]trellis.CompetencyEvidence
	limit := trellis.ClampLimit(f.Limit)
	var people []*trellis.Person
	err := s.db.view(ctx, func(tx *Tx) error {
		b := slices.Clone(a)
		q := `SELECT ` + personColumns + ` FROM people p WHERE ` + strings.Join(where, " AND ")
		if c := strings.TrimSpace(f.Competency); c != "" {
			visIn := b.placeholders(vis...)
			q = `SELECT ` + personColumns + ` FROM people p
				JOIN (SELECT ec.person_id, COUNT(*) AS n FROM evidence_competencies ec
					JOIN evidence e ON e.id = ec.evidence_id AND e.visibility IN (` + visIn + `)
					WHERE ec.competency = ` + b.add(c) + ` GROUP BY ec.person_id) k ON k.person_id = p.id
				WHERE ` + strings.Join(where, " AND ") + ` ORDER BY k.n DESC, p.name_key, p.id`
		} else {
			q += ` ORDER BY p.name_key, p.id`
		}
		q += ` LIMIT ` + b.add(limit)
		var err error
		people, err = queryPeople(ctx, tx, q, b...)
		if err != nil || len(people) == 0 {
			return err
		}
		var c args
		ids := make([]any, len(people))
		for i, p := range people {
			ids[i] = p.ID
		}
		rows, err := tx.QueryContext(ctx, `SELECT ec.person_id, ec.competency, COUNT(*), MAX(ec.date) FROM evidence_competencies ec
			JOIN evidence e ON e.id = ec.evidence_id
			WHERE ec.person_id IN (`+c.placeholders(ids...)+`) AND e.visibility IN (`+c.placeholders(vis...)+`)
			GROUP BY ec.person_id, ec.competency`, c...)
		if err != nil {
			return err
		}
		defer rows.Close()
		counts = map[int64][]trellis.CompetencyEvidence{}
		for rows.Next() {
			var pid int64
			var ce trellis.CompetencyEvidence
			var newest string
			if err := rows.Scan(&pid, &ce.Competency, &ce.Count, &newest); err != nil {
				return err
			}
			ce.Newest, _ = time.Parse(dateFormat, newest)
			counts[pid] = append(counts[pid], ce)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]trellis.FinderResult, len(people))
	for i, p := range people {
		top := counts[p.ID]
		sort.Slice(top, func(i, j int) bool {
			if top[i].Count != top[j].Count {
				return top[i].Count > top[j].Count
			}
			return top[i].Competency < top[j].Competency
		})
		if len(top) > finderTop {
			top = top[:finderTop]
		}
		out[i] = trellis.FinderResult{Person: p, Top: top}
	}
	return out, nil
}
