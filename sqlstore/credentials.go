package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"trellis"
	"trellis/auth"
)

// CredentialStore keeps what people sign in with: password hashes, single
// sign-on identities, and the recent sign-in attempts that the throttle
// (auth.Throttle) reads, shared by every node.
type CredentialStore struct {
	db *DB
}

// NewCredentialStore returns a CredentialStore over db.
func NewCredentialStore(db *DB) *CredentialStore {
	return &CredentialStore{db: db}
}

// signinRetention is how long sign-in attempts are kept: far longer than
// any throttle window, short enough that the table stays small.
const signinRetention = 24 * time.Hour

// SetPasswordHash stores phc (an argon2id PHC string from auth.Hasher) as
// the person's password hash, replacing any earlier one, and records
// password.changed. The hash itself never reaches the audit log.
func (s *CredentialStore) SetPasswordHash(ctx context.Context, personID int64, phc string) error {
	if _, _, _, err := auth.ParseHash(phc); err != nil {
		return trellis.Errorf(trellis.EINVALID, "the password hash is not an argon2id PHC string: %v", err)
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO passwords (person_id, hash, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (person_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
			personID, phc, formatTime(tx.now)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditPasswordChanged, trellis.AuditTargetPerson,
			personTarget(personID), nil, nil))
	})
}

// errNoPassword is the one answer for an unknown address, a person who has
// left and a person without a password: the caller then verifies against a
// dummy hash so that all three take as long as a wrong password.
var errNoPassword = trellis.Errorf(trellis.ENOTFOUND, "No active account with a password has this email.")

// PasswordHash returns the id and password hash of the active person with
// the email. An unknown address, a person who has left and a person without
// a password are all ENOTFOUND.
func (s *CredentialStore) PasswordHash(ctx context.Context, email string) (personID int64, phc string, err error) {
	err = s.db.view(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `
			SELECT p.id, w.hash FROM people p JOIN passwords w ON w.person_id = p.id
			WHERE p.email = $1 AND p.active`, trellis.NormalizeEmail(email)).Scan(&personID, &phc)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoPassword
		}
		return err
	})
	if err != nil {
		return 0, "", err
	}
	return personID, phc, nil
}

// LinkIdentity links a single sign-on identity (the provider's name and its
// subject claim) to a person. Linking it again to the same person does
// nothing; an identity linked to someone else is ECONFLICT.
func (s *CredentialStore) LinkIdentity(ctx context.Context, provider, subject string, personID int64) error {
	if provider == "" || subject == "" {
		return trellis.Errorf(trellis.EINVALID, "an identity needs a provider and a subject")
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		var linked int64
		err := tx.QueryRowContext(ctx, `SELECT person_id FROM identities WHERE provider = $1 AND subject = $2`,
			provider, subject).Scan(&linked)
		switch {
		case err == nil && linked == personID:
			return nil
		case err == nil:
			return trellis.Errorf(trellis.ECONFLICT, "This %s account is already linked to another person.", provider)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO identities (provider, subject, person_id, created_at) VALUES ($1, $2, $3, $4)`,
			provider, subject, personID, formatTime(tx.now))
		return err
	})
}

// FindIdentity returns the id of the active person linked to the identity.
// An unknown identity, or one of a person who has left, is ENOTFOUND.
func (s *CredentialStore) FindIdentity(ctx context.Context, provider, subject string) (int64, error) {
	var id int64
	err := s.db.view(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `
			SELECT p.id FROM identities i JOIN people p ON p.id = i.person_id
			WHERE i.provider = $1 AND i.subject = $2 AND p.active`, provider, subject).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return trellis.Errorf(trellis.ENOTFOUND, "No active person is linked to this %s account.", provider)
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// RecordSignInAttempt remembers one sign-in attempt with the address tried
// (normalised) and the client address, and forgets attempts older than a
// day on the way.
func (s *CredentialStore) RecordSignInAttempt(ctx context.Context, email, ip string, ok bool) error {
	return s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_attempts (at, email, ip, ok) VALUES ($1, $2, $3, $4)`,
			formatTime(tx.now), trellis.NormalizeEmail(email), ip, ok); err != nil {
			return err
		}
		// An index probe when there is nothing to forget.
		_, err := tx.ExecContext(ctx, `DELETE FROM signin_attempts WHERE at < $1`, formatTime(tx.now.Add(-signinRetention)))
		return err
	})
}

// RecentSignInFailures returns the failed attempts at or after since, in
// the shape auth.Throttle.Check takes: byAccount are the failures for the
// email after its latest successful sign-in; byAddress all failures from
// the client address, whatever account they tried ("" has none).
func (s *CredentialStore) RecentSignInFailures(ctx context.Context, email, ip string, since time.Time) (byAccount, byAddress []time.Time, err error) {
	err = s.db.view(ctx, func(tx *Tx) error {
		var err error
		byAccount, err = queryTimes(ctx, tx, `
			SELECT at FROM signin_attempts
			WHERE email = $1 AND NOT ok AND at >= $2
			  AND at > COALESCE((SELECT MAX(at) FROM signin_attempts WHERE email = $1 AND ok), '')
			ORDER BY at`, trellis.NormalizeEmail(email), formatTime(since))
		if err != nil || ip == "" {
			return err
		}
		byAddress, err = queryTimes(ctx, tx, `
			SELECT at FROM signin_attempts WHERE ip = $1 AND NOT ok AND at >= $2 ORDER BY at`,
			ip, formatTime(since))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return byAccount, byAddress, nil
}

// queryTimes returns the stored times of a query's first column.
func queryTimes(ctx context.Context, tx *Tx, query string, args ...any) ([]time.Time, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(scanTime(&t)); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
