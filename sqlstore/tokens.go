package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"trellis"
	"trellis/auth"
)

// TokenStore keeps API tokens and one-time reset links, both by the digest
// of their secret. It implements auth.TokenStore. Creating and revoking a
// token, and creating, using or failing to use a reset link, are recorded
// in the audit log in the same transaction.
type TokenStore struct {
	db *DB
}

var _ auth.TokenStore = (*TokenStore)(nil)

// NewTokenStore returns a TokenStore over db.
func NewTokenStore(db *DB) *TokenStore {
	return &TokenStore{db: db}
}

const tokenColumns = `id, person_id, name, hash, scope, created_at, expires_at, last_used_at, revoked_at`

func scanToken(r rowScanner) (*auth.APIToken, error) {
	t := new(auth.APIToken)
	err := r.Scan(&t.ID, &t.PersonID, &t.Name, &t.Hash, &t.Scope, scanTime(&t.CreatedAt), scanTime(&t.ExpiresAt),
		scanNullTime(&t.LastUsedAt), scanNullTime(&t.RevokedAt))
	return t, err
}

// CreateToken stores t (made by auth.NewAPIToken) and sets its ID.
func (s *TokenStore) CreateToken(ctx context.Context, t *auth.APIToken) error {
	if t == nil || t.Hash == "" {
		return trellis.Errorf(trellis.EINVALID, "no token to store")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, t.PersonID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO api_tokens (person_id, name, hash, scope, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			t.PersonID, t.Name, t.Hash, t.Scope, formatTime(t.CreatedAt), formatTime(t.ExpiresAt)).Scan(&t.ID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditTokenCreated, trellis.AuditTargetToken,
			strconv.FormatInt(t.ID, 10), nil, map[string]any{
				"person_id": t.PersonID, "name": t.Name, "scope": t.Scope, "expires_at": formatTime(t.ExpiresAt),
			}))
	})
}

// FindTokenByHash returns the token with the digest, revoked and expired
// ones included.
func (s *TokenStore) FindTokenByHash(ctx context.Context, hash string) (*auth.APIToken, error) {
	var t *auth.APIToken
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "No such API token.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// FindTokenActor returns the token with the digest, as FindTokenByHash
// does, and its person as an actor, as PersonService.FindActor does, in one
// read transaction: what authenticating an API request needs. A token whose
// person is gone comes with the zero Actor.
func (s *TokenStore) FindTokenActor(ctx context.Context, hash string) (*auth.APIToken, trellis.Actor, error) {
	var t *auth.APIToken
	var a trellis.Actor
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "No such API token.")
		} else if err != nil {
			return err
		}
		a, err = findActor(ctx, tx, t.PersonID)
		if trellis.ErrorCode(err) == trellis.ENOTFOUND {
			a, err = trellis.Actor{}, nil
		}
		return err
	})
	if err != nil {
		return nil, trellis.Actor{}, err
	}
	return t, a, nil
}

// ListTokens returns the person's tokens, newest first, revoked and expired
// ones included.
func (s *TokenStore) ListTokens(ctx context.Context, personID int64) ([]*auth.APIToken, error) {
	list := []*auth.APIToken{}
	err := s.db.view(ctx, func(tx *Tx) error {
		list = list[:0]
		rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens
			WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			list = append(list, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// RevokeToken revokes the token at the time given. Revoking a revoked token
// changes nothing; an unknown id is ENOTFOUND.
func (s *TokenStore) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	return s.db.update(ctx, func(tx *Tx) error {
		var personID int64
		err := tx.QueryRowContext(ctx, `
			UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING person_id`,
			id, formatTime(at)).Scan(&personID)
		if errors.Is(err, sql.ErrNoRows) {
			return tokenExists(ctx, tx, id)
		} else if err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditTokenRevoked, trellis.AuditTargetToken,
			strconv.FormatInt(id, 10), nil, map[string]any{"person_id": personID}))
	})
}

// TouchToken records a use of the token.
func (s *TokenStore) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, formatTime(at))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return tokenExists(ctx, tx, id)
		}
		return nil
	})
}

func tokenExists(ctx context.Context, tx *Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM api_tokens WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return trellis.Errorf(trellis.ENOTFOUND, "There is no API token with id %d.", id)
	}
	return err
}

const resetLinkColumns = `id, person_id, hash, created_by, created_at, expires_at, used_at`

func scanResetLink(r rowScanner) (*auth.ResetLink, error) {
	l := new(auth.ResetLink)
	var by sql.NullInt64
	if err := r.Scan(&l.ID, &l.PersonID, &l.Hash, &by, scanTime(&l.CreatedAt), scanTime(&l.ExpiresAt),
		scanNullTime(&l.UsedAt)); err != nil {
		return nil, err
	}
	if by.Valid {
		l.CreatedBy = &by.Int64
	}
	return l, nil
}

// CreateResetLink stores l (made by auth.NewResetLink) and sets its ID.
func (s *TokenStore) CreateResetLink(ctx context.Context, l *auth.ResetLink) error {
	if l == nil || l.Hash == "" {
		return trellis.Errorf(trellis.EINVALID, "no reset link to store")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, l.PersonID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO reset_links (hash, person_id, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			l.Hash, l.PersonID, l.CreatedBy, formatTime(l.CreatedAt), formatTime(l.ExpiresAt)).Scan(&l.ID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditResetLinkCreated, trellis.AuditTargetResetLink,
			strconv.FormatInt(l.ID, 10), nil, map[string]any{"person_id": l.PersonID, "expires_at": formatTime(l.ExpiresAt)}))
	})
}

// UseResetLink marks the link used if it is unused and unexpired at now,
// in one conditional UPDATE: of two concurrent uses exactly one succeeds.
// The outcome is recorded in the audit log either way: reset_link.used by
// the link's person, or reset_link.rejected (anonymous) with the reason
// ("unknown", "used", "expired"), which is also wrapped into the
// auth.ErrResetLinkRefused returned.
func (s *TokenStore) UseResetLink(ctx context.Context, hash string, now time.Time) (*auth.ResetLink, error) {
	var (
		link    *auth.ResetLink
		refused error
	)
	err := s.db.update(ctx, func(tx *Tx) error {
		link, refused = nil, nil
		var err error
		link, err = scanResetLink(tx.QueryRowContext(ctx, `
			UPDATE reset_links SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND expires_at > $2
			RETURNING `+resetLinkColumns, hash, formatTime(now)))
		if err == nil {
			var email string
			if err := tx.QueryRowContext(ctx, `SELECT email FROM people WHERE id = $1`, link.PersonID).Scan(&email); err != nil {
				return err
			}
			return recordAudit(ctx, tx, &trellis.AuditEvent{
				ActorID: &link.PersonID, ActorLabel: email, Action: trellis.AuditResetLinkUsed,
				TargetType: trellis.AuditTargetResetLink, TargetID: strconv.FormatInt(link.ID, 10),
				After: map[string]any{"person_id": link.PersonID},
			})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}

		// Refused: find out why, for the log; the caller learns only that.
		e := &trellis.AuditEvent{ActorLabel: "anonymous", Action: trellis.AuditResetLinkRejected,
			TargetType: trellis.AuditTargetResetLink}
		reason := "unknown"
		stored, err := scanResetLink(tx.QueryRowContext(ctx, `SELECT `+resetLinkColumns+` FROM reset_links WHERE hash = $1`, hash))
		switch {
		case err == nil:
			reason = stored.Problem(now)
			if reason == "" { // cannot happen after the UPDATE above; say so if it does
				reason = "refused"
			}
			e.TargetID = strconv.FormatInt(stored.ID, 10)
			e.After = map[string]any{"reason": reason, "person_id": stored.PersonID}
		case errors.Is(err, sql.ErrNoRows):
			e.After = map[string]any{"reason": reason}
		default:
			return err
		}
		refused = fmt.Errorf("reset link %s: %w", reason, auth.ErrResetLinkRefused)
		link = nil
		return recordAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return link, nil
}

// scanNullTime returns a sql.Scanner that reads a nullable stored time into
// *t: nil for NULL.
func scanNullTime(t **time.Time) sql.Scanner { return nullTimeScanner{t} }

type nullTimeScanner struct{ t **time.Time }

func (s nullTimeScanner) Scan(src any) error {
	if src == nil {
		*s.t = nil
		return nil
	}
	v := new(time.Time)
	if err := scanTime(v).Scan(src); err != nil {
		return err
	}
	*s.t = v
	return nil
}
