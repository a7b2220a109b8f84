package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"trellis"
	"trellis/forge"
	"trellis/suggest"
)

// ForgeStore keeps people's connections to GitLab and GitHub, the items
// imported from them and the runs of each sync. It implements forge.Store.
// Tokens are sealed with the server's secret key before they are written;
// without a key no token is stored.
type ForgeStore struct {
	db       *DB
	sealer   *forge.Sealer
	evidence *EvidenceService
}

var _ forge.Store = (*ForgeStore)(nil)

// NewForgeStore returns a ForgeStore over db; sealer nil means no secret key
// is configured, so tokens are refused.
func NewForgeStore(db *DB, sealer *forge.Sealer) *ForgeStore {
	return &ForgeStore{db: db, sealer: sealer, evidence: NewEvidenceService(db)}
}

// CanStoreTokens reports whether a secret key is configured.
func (s *ForgeStore) CanStoreTokens() bool { return s.sealer != nil }

// tokenAD binds a sealed token to its account.
func tokenAD(a *forge.Account) string {
	return fmt.Sprintf("trellis forge token\x00%d\x00%s\x00%s\x00%s", a.PersonID, a.Kind, a.BaseURL, a.Username)
}

func accountNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no connection with id %d.", id)
}

func itemNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no imported item with id %d.", id)
}

// AddAccount checks and stores a connection, sealing its token.
func (s *ForgeStore) AddAccount(ctx context.Context, a *forge.Account) error {
	var d []trellis.FieldError
	if !a.Kind.Valid() {
		d = append(d, trellis.FieldError{Field: "kind", Message: fmt.Sprintf("kind %q is not known; use gitlab or github", a.Kind)})
	} else if base, err := forge.NormalizeBaseURL(a.Kind, a.BaseURL); err != nil {
		d = append(d, trellis.FieldError{Field: "base_url", Message: err.Error()})
	} else {
		a.BaseURL = base
	}
	if !forge.ValidUsername(a.Username) {
		d = append(d, trellis.FieldError{Field: "username", Message: fmt.Sprintf("username %q is not a %s username: letters, digits, '.', '-' and '_' only", a.Username, a.Kind.Name())})
	}
	if len(d) > 0 {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The connection has " + strconv.Itoa(len(d)) + " problem(s).", Details: d}
	}
	sealed := ""
	if a.Token != "" {
		var err error
		if sealed, err = s.sealer.Seal(a.Token, tokenAD(a)); err != nil {
			return err
		}
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, a.PersonID); err != nil {
			return err
		}
		a.CreatedAt = tx.now
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO forge_accounts (person_id, kind, base_url, username, token, state, created_at)
			VALUES ($1, $2, $3, $4, $5, '{}', $6) RETURNING id`,
			a.PersonID, string(a.Kind), a.BaseURL, a.Username, sealed, formatTime(tx.now)).Scan(&a.ID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, "forge.connected", trellis.AuditTargetPerson, strconv.FormatInt(a.PersonID, 10), nil,
			map[string]any{"account_id": a.ID, "kind": string(a.Kind), "base_url": a.BaseURL, "username": a.Username, "token": a.Token != ""}))
	})
	if trellis.ErrorCode(err) == trellis.ECONFLICT {
		return trellis.Errorf(trellis.ECONFLICT, "There is already a connection to %s.", a)
	}
	if err != nil {
		return err
	}
	a.HasToken, a.Token, a.State = sealed != "", "", forge.State{}
	return nil
}

// RemoveAccount removes a person's connection and its runs; its items stay.
func (s *ForgeStore) RemoveAccount(ctx context.Context, personID, accountID int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM forge_accounts WHERE id = $1 AND person_id = $2`, accountID, personID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return accountNotFound(accountID)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM forge_runs WHERE account_id = $1`, accountID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, "forge.disconnected", trellis.AuditTargetPerson, strconv.FormatInt(personID, 10), nil,
			map[string]any{"account_id": accountID}))
	})
}

const accountColumns = `id, person_id, kind, base_url, username, token, state, last_synced_at, created_at`

func scanAccount(r rowScanner) (*forge.Account, string, error) {
	a := new(forge.Account)
	var kind, sealed, state string
	if err := r.Scan(&a.ID, &a.PersonID, &kind, &a.BaseURL, &a.Username, &sealed, &state, scanTime(&a.LastSyncedAt), scanTime(&a.CreatedAt)); err != nil {
		return nil, "", err
	}
	a.Kind, a.HasToken = forge.Kind(kind), sealed != ""
	a.State = forge.State{}
	if err := json.Unmarshal([]byte(state), &a.State); err != nil {
		return nil, "", fmt.Errorf("sqlstore: forge account %d: state: %w", a.ID, err)
	}
	return a, sealed, nil
}

// ListAccounts returns a person's connections, without their tokens.
func (s *ForgeStore) ListAccounts(ctx context.Context, personID int64) ([]*forge.Account, error) {
	out := []*forge.Account{}
	err := s.db.view(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM forge_accounts WHERE person_id = $1 ORDER BY id`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, _, err := scanAccount(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// AccountForSync returns an account with its token unsealed.
func (s *ForgeStore) AccountForSync(ctx context.Context, id int64) (*forge.Account, error) {
	var a *forge.Account
	var sealed string
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		a, sealed, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM forge_accounts WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return accountNotFound(id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if sealed != "" {
		if a.Token, err = s.sealer.Open(sealed, tokenAD(a)); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// PeopleWithAccounts lists the people who have a connection.
func (s *ForgeStore) PeopleWithAccounts(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.db.view(ctx, func(tx *Tx) error {
		ids = nil
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_id FROM forge_accounts ORDER BY person_id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// SaveItems stores the new items of one page and moves the stream's cursor,
// in one transaction. An item already stored (same forge instance and
// external id) is left as it is, whatever its status.
func (s *ForgeStore) SaveItems(ctx context.Context, accountID int64, stream string, through time.Time, items []*forge.Item) (int, error) {
	added := 0
	err := s.db.update(ctx, func(tx *Tx) error {
		added = 0
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM forge_accounts WHERE id = $1`+tx.forUpdate(), accountID).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "The connection was removed during the sync; nothing more was stored.")
		} else if err != nil {
			return err
		}
		st := forge.State{}
		if err := json.Unmarshal([]byte(state), &st); err != nil {
			return fmt.Errorf("sqlstore: forge account %d: state: %w", accountID, err)
		}
		for _, it := range items {
			labels, _ := json.Marshal(nonNil(it.Labels))
			sugg := it.Suggestions
			if sugg == nil {
				sugg = []suggest.Suggestion{}
			}
			sj, err := json.Marshal(sugg)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `
				INSERT INTO forge_items (person_id, kind, base_url, external_id, type, url, title, description, project, labels,
					merged_at, updated_at, activity, activity_reason, suggestions, status, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'pending', $16)
				ON CONFLICT (kind, base_url, external_id) DO NOTHING`,
				it.PersonID, string(it.Kind), it.BaseURL, it.ExternalID, string(it.Type), it.URL, it.Title, it.Description, it.Project,
				string(labels), formatTime(it.MergedAt), formatTime(it.UpdatedAt), it.Activity, it.ActivityReason, string(sj), formatTime(tx.now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		if through.After(st[stream]) {
			st[stream] = through.UTC()
			b, _ := json.Marshal(st)
			if _, err := tx.ExecContext(ctx, `UPDATE forge_accounts SET state = $1 WHERE id = $2`, string(b), accountID); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

const itemColumns = `id, person_id, kind, base_url, external_id, type, url, title, description, project, labels,
	merged_at, updated_at, activity, activity_reason, suggestions, status, evidence_id, created_at`

func scanItem(r rowScanner) (*forge.Item, error) {
	it := new(forge.Item)
	var kind, typ, labels, sugg, status string
	var ev sql.NullInt64
	if err := r.Scan(&it.ID, &it.PersonID, &kind, &it.BaseURL, &it.ExternalID, &typ, &it.URL, &it.Title, &it.Description, &it.Project,
		&labels, scanTime(&it.MergedAt), scanTime(&it.UpdatedAt), &it.Activity, &it.ActivityReason, &sugg, &status, &ev, scanTime(&it.CreatedAt)); err != nil {
		return nil, err
	}
	it.Kind, it.Type, it.Status = forge.Kind(kind), forge.ItemType(typ), forge.Status(status)
	if ev.Valid {
		id := ev.Int64
		it.EvidenceID = &id
	}
	if err := json.Unmarshal([]byte(labels), &it.Labels); err != nil {
		return nil, fmt.Errorf("sqlstore: forge item %d: labels: %w", it.ID, err)
	}
	if err := json.Unmarshal([]byte(sugg), &it.Suggestions); err != nil {
		return nil, fmt.Errorf("sqlstore: forge item %d: suggestions: %w", it.ID, err)
	}
	it.Labels = nonNil(it.Labels)
	if it.Suggestions == nil {
		it.Suggestions = []suggest.Suggestion{}
	}
	return it, nil
}

// maxItemPage bounds a page of items.
const maxItemPage = 200

// ListItems returns a person's items, the newest work first.
func (s *ForgeStore) ListItems(ctx context.Context, f forge.ItemFilter) (forge.ItemPage, error) {
	page := forge.ItemPage{Items: []*forge.Item{}}
	limit := f.Limit
	if limit <= 0 || limit > maxItemPage {
		limit = maxItemPage
	}
	var a args
	q := `SELECT ` + itemColumns + ` FROM forge_items WHERE person_id = ` + a.add(f.PersonID)
	if f.Status != "" {
		q += ` AND status = ` + a.add(string(f.Status))
	}
	if f.Cursor != "" {
		var at string
		var id int64
		if err := decodeCursor(f.Cursor, &at, &id); err != nil {
			return page, err
		}
		p1, p2, p3 := a.add(at), a.add(at), a.add(id)
		q += ` AND (merged_at < ` + p1 + ` OR (merged_at = ` + p2 + ` AND id < ` + p3 + `))`
	}
	q += ` ORDER BY merged_at DESC, id DESC LIMIT ` + a.add(limit+1)
	err := s.db.view(ctx, func(tx *Tx) error {
		page.Items = page.Items[:0]
		rows, err := tx.QueryContext(ctx, q, a...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, it)
		}
		return rows.Err()
	})
	if err != nil {
		return page, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(formatTime(last.MergedAt), last.ID)
	}
	return page, nil
}

// FindItem returns one item.
func (s *ForgeStore) FindItem(ctx context.Context, id int64) (*forge.Item, error) {
	var it *forge.Item
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		it, err = scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM forge_items WHERE id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return itemNotFound(id)
		}
		return err
	})
	return it, err
}

// pendingItem locks an item and checks that it still waits for a decision.
func pendingItem(ctx context.Context, tx *Tx, id int64) (*forge.Item, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM forge_items WHERE id = $1`+tx.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, itemNotFound(id)
	} else if err != nil {
		return nil, err
	}
	if it.Status != forge.Pending {
		return nil, trellis.Errorf(trellis.ECONFLICT, "%q was already %s.", it.Title, it.Status)
	}
	return it, nil
}

// AcceptItem creates the evidence entry e from a pending item and marks the
// item accepted, in one transaction. e is checked as any entry; its person
// is the item's.
func (s *ForgeStore) AcceptItem(ctx context.Context, itemID int64, e *trellis.Evidence) error {
	if e == nil {
		return trellis.Errorf(trellis.EINVALID, "no evidence entry to store")
	}
	c := cloneEvidence(e)
	err := s.db.update(ctx, func(tx *Tx) error {
		c = cloneEvidence(e)
		it, err := pendingItem(ctx, tx, itemID)
		if err != nil {
			return err
		}
		c.PersonID = it.PersonID
		if err := s.evidence.checkEvidence(ctx, tx, c); err != nil {
			return err
		}
		if err := insertEvidence(ctx, tx, c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forge_items SET status = 'accepted', evidence_id = $1, decided_at = $2 WHERE id = $3`,
			c.ID, formatTime(tx.now), itemID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditEvidenceCreated, trellis.AuditTargetEvidence,
			fmt.Sprint(c.ID), nil, map[string]any{"person_id": c.PersonID, "visibility": string(c.Visibility), "imported_from": it.URL}))
	})
	if err != nil {
		return err
	}
	*e = *c
	return nil
}

// DismissItem marks a pending item dismissed; a later sync does not bring
// it back.
func (s *ForgeStore) DismissItem(ctx context.Context, itemID int64) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := pendingItem(ctx, tx, itemID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE forge_items SET status = 'dismissed', decided_at = $1 WHERE id = $2`, formatTime(tx.now), itemID)
		return err
	})
}

// StartRun records the start of a sync of an account.
func (s *ForgeStore) StartRun(ctx context.Context, a *forge.Account) (*forge.Run, error) {
	r := &forge.Run{AccountID: a.ID, PersonID: a.PersonID, Account: a.String()}
	err := s.db.update(ctx, func(tx *Tx) error {
		r.StartedAt = tx.now
		return tx.QueryRowContext(ctx, `INSERT INTO forge_runs (account_id, person_id, account, started_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			a.ID, a.PersonID, r.Account, formatTime(tx.now)).Scan(&r.ID)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// FinishRun records how a sync ended; a sync without an error stamps the
// account's last sync.
func (s *ForgeStore) FinishRun(ctx context.Context, r *forge.Run) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if r.FinishedAt.IsZero() {
			r.FinishedAt = tx.now
		}
		var resume any
		if r.ResumeAt != nil {
			resume = formatTime(*r.ResumeAt)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forge_runs SET finished_at = $1, added = $2, error = $3, resume_at = $4 WHERE id = $5`,
			formatTime(r.FinishedAt), r.Added, r.Error, resume, r.ID); err != nil {
			return err
		}
		if r.Error == "" {
			_, err := tx.ExecContext(ctx, `UPDATE forge_accounts SET last_synced_at = $1 WHERE id = $2`, formatTime(r.FinishedAt), r.AccountID)
			return err
		}
		return nil
	})
}

// ListRuns returns a person's latest runs, newest first.
func (s *ForgeStore) ListRuns(ctx context.Context, personID int64, limit int) ([]*forge.Run, error) {
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	out := []*forge.Run{}
	err := s.db.view(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, account_id, person_id, account, started_at, finished_at, added, error, resume_at
			FROM forge_runs WHERE person_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`, personID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := new(forge.Run)
			var resume time.Time
			if err := rows.Scan(&r.ID, &r.AccountID, &r.PersonID, &r.Account, scanTime(&r.StartedAt), scanTime(&r.FinishedAt),
				&r.Added, &r.Error, scanTime(&resume)); err != nil {
				return err
			}
			if !resume.IsZero() {
				r.ResumeAt = &resume
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
