package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"trellis"
)

// Secrets handed to people: API tokens and one-time reset links. Both are 32
// random bytes, shown once and stored only as a SHA-256 digest. A plain
// digest (no salt, no argon2) is enough here, unlike for passwords: 256
// random bits cannot be guessed or looked up in a table, and a fast digest
// lets the store find the record by an indexed lookup on every API request.
const (
	TokenPrefix     = "trl_" // API tokens; recognisable by secret scanners and in logs
	ResetLinkPrefix = "trr_" // reset links; a different prefix so the two never mix
	secretBytes     = 32
)

// secretEncoding is lowercase base32 without padding: letters and digits
// only, so a double-click selects the whole token and no URL escaping is
// ever needed.
var secretEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// secretLen is the length of the encoded random part.
var secretLen = secretEncoding.EncodedLen(secretBytes)

// newSecret returns prefix + 52 random characters and its digest.
func newSecret(prefix string) (plain, hash string, err error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: reading random bytes: %w", err)
	}
	plain = prefix + secretEncoding.EncodeToString(b)
	return plain, HashToken(plain), nil
}

// HashToken returns the hex SHA-256 digest under which a token or reset
// link is stored and looked up.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// TokenMatches reports in constant time whether plain hashes to storedHash.
func TokenMatches(plain, storedHash string) bool {
	got := HashToken(plain)
	return subtle.ConstantTimeCompare([]byte(got), []byte(storedHash)) == 1
}

// WellFormed reports whether s has the shape of a secret with the prefix,
// so that garbage is refused before it costs a database lookup.
func WellFormed(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != secretLen {
		return false
	}
	_, err := secretEncoding.DecodeString(rest)
	return err == nil
}

// Token scopes. A read token may do the reading part of what its person may
// do (trellis.Actor.ReadOnly); a write token all of it.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Token lifetimes.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// APIToken is a personal API token as stored: everything but the secret.
type APIToken struct {
	ID         int64      `json:"id"`
	PersonID   int64      `json:"person_id"`
	Name       string     `json:"name"` // what the person calls it ("laptop script")
	Hash       string     `json:"-"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// NewAPIToken makes a token for the person and returns it with the secret,
// which must be shown once and then forgotten. ttl 0 means DefaultTokenTTL.
func NewAPIToken(personID int64, name, scope string, now time.Time, ttl time.Duration) (*APIToken, string, error) {
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	t := &APIToken{PersonID: personID, Name: strings.TrimSpace(name), Scope: scope, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if t.Scope == "" {
		t.Scope = ScopeRead
	}
	var d []trellis.FieldError
	if !slices.Contains([]string{ScopeRead, ScopeWrite}, t.Scope) {
		d = append(d, trellis.FieldError{Field: "scope", Message: fmt.Sprintf("scope %q is not read or write", scope)})
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		d = append(d, trellis.FieldError{Field: "expires_at", Message: fmt.Sprintf("a token lives between now and %d days", MaxTokenTTL/(24*time.Hour))})
	}
	if len(t.Name) > 100 {
		d = append(d, trellis.FieldError{Field: "name", Message: "name is longer than 100 characters"})
	}
	if len(d) > 0 {
		return nil, "", &trellis.Error{Code: trellis.EINVALID, Message: "The token cannot be created.", Details: d}
	}
	plain, hash, err := newSecret(TokenPrefix)
	if err != nil {
		return nil, "", err
	}
	t.Hash = hash
	return t, plain, nil
}

// ErrTokenRefused is the one answer for an unknown, revoked or expired
// token: the caller learns only that this token does not work. The audit
// log records which it was (TokenProblem).
var ErrTokenRefused = &trellis.Error{Code: trellis.EUNAUTHORIZED, Message: "The API token is not valid: it may have expired or been revoked."}

// Problem says why a stored token cannot be used now ("revoked",
// "expired"), or "" when it can.
func (t *APIToken) Problem(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case !now.Before(t.ExpiresAt):
		return "expired"
	}
	return ""
}

// ReadOnly reports whether the token only reads.
func (t *APIToken) ReadOnly() bool { return t.Scope != ScopeWrite }

// DefaultResetTTL is how long an admin-issued reset link works.
const DefaultResetTTL = 24 * time.Hour

// ResetLink is a one-time password reset link as stored.
type ResetLink struct {
	ID        int64      `json:"id"`
	PersonID  int64      `json:"person_id"`
	Hash      string     `json:"-"`
	CreatedBy *int64     `json:"created_by,omitempty"` // the admin; nil from the CLI
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at,omitempty"`
}

// NewResetLink makes a link for the person and returns it with the secret
// to put in the URL. ttl 0 means DefaultResetTTL.
func NewResetLink(personID int64, createdBy *int64, now time.Time, ttl time.Duration) (*ResetLink, string, error) {
	if ttl == 0 {
		ttl = DefaultResetTTL
	}
	if ttl < 0 || ttl > 7*24*time.Hour {
		return nil, "", trellis.Errorf(trellis.EINVALID, "A reset link lives between now and 7 days.")
	}
	plain, hash, err := newSecret(ResetLinkPrefix)
	if err != nil {
		return nil, "", err
	}
	return &ResetLink{PersonID: personID, Hash: hash, CreatedBy: createdBy, CreatedAt: now, ExpiresAt: now.Add(ttl)}, plain, nil
}

// ErrResetLinkRefused is the one answer for an unknown, used or expired
// reset link.
var ErrResetLinkRefused = &trellis.Error{Code: trellis.EINVALID, Message: "This reset link is not valid: it may have expired or been used already. Ask an administrator for a new one."}

// Problem says why the link cannot be used now ("used", "expired"), or "".
func (l *ResetLink) Problem(now time.Time) string {
	switch {
	case l.UsedAt != nil:
		return "used"
	case !now.Before(l.ExpiresAt):
		return "expired"
	}
	return ""
}

// TokenStore keeps API tokens and reset links. Lookups by hash of a secret
// that was never issued are ENOTFOUND.
type TokenStore interface {
	CreateToken(ctx context.Context, t *APIToken) error
	// FindTokenByHash returns the token, revoked and expired ones included,
	// so that the caller can audit why it was refused.
	FindTokenByHash(ctx context.Context, hash string) (*APIToken, error)
	ListTokens(ctx context.Context, personID int64) ([]*APIToken, error)
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	// TouchToken records a use (at most about once a minute is enough).
	TouchToken(ctx context.Context, id int64, at time.Time) error

	CreateResetLink(ctx context.Context, l *ResetLink) error
	// UseResetLink marks the link used if it is still usable at now, in one
	// statement so that two concurrent uses cannot both succeed, and
	// returns it; otherwise ErrResetLinkRefused (wrapped with the reason).
	UseResetLink(ctx context.Context, hash string, now time.Time) (*ResetLink, error)
}
