package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/alexedwards/scs/v2"
)

// SessionStore keeps browser sessions in the database, so that they
// survive restarts and are shared by every node. It implements scs.Store
// and scs.CtxStore. Session data is opaque here; expired sessions are never
// found, and DeleteExpired removes them for good.
type SessionStore struct {
	db *DB
}

var (
	_ scs.Store    = (*SessionStore)(nil)
	_ scs.CtxStore = (*SessionStore)(nil)
)

// NewSessionStore returns a SessionStore over db.
func NewSessionStore(db *DB) *SessionStore {
	return &SessionStore{db: db}
}

// FindCtx returns the data of an unexpired session; found is false for an
// unknown or expired token.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.db.view(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`,
			token, formatTime(tx.now)).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			b = nil
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return b, found, nil
}

// CommitCtx stores the session's data and expiry, replacing any earlier.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if b == nil {
		b = []byte{}
	}
	return s.db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
			ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
			token, b, formatTime(expiry))
		return err
	})
}

// DeleteCtx removes the session; an unknown token is no error.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token)
		return err
	})
}

// DeleteExpired removes every expired session and says how many; run it
// from time to time.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, formatTime(tx.now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Find is FindCtx without a context.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
