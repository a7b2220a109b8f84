package auth

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"trellis"
)

var now = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func TestNewAPIToken(t *testing.T) {
	tok, plain, err := NewAPIToken(7, " laptop ", ScopeWrite, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^trl_[a-z2-7]{52}$`).MatchString(plain) {
		t.Errorf("token %q", plain)
	}
	if !WellFormed(plain, TokenPrefix) || WellFormed(plain, ResetLinkPrefix) {
		t.Error("WellFormed")
	}
	if tok.Hash != HashToken(plain) || strings.Contains(tok.Hash, plain) || len(tok.Hash) != 64 {
		t.Errorf("stored hash %q", tok.Hash)
	}
	if !TokenMatches(plain, tok.Hash) || TokenMatches(plain+"x", tok.Hash) || TokenMatches(plain, "") {
		t.Error("TokenMatches")
	}
	if tok.Name != "laptop" || tok.PersonID != 7 || !tok.ExpiresAt.Equal(now.Add(DefaultTokenTTL)) || tok.ReadOnly() {
		t.Errorf("token %+v", tok)
	}
	_, other, _ := NewAPIToken(7, "", "", now, time.Hour)
	if other == plain {
		t.Error("two tokens are equal")
	}
}

func TestNewAPITokenDefaultsAndRefusals(t *testing.T) {
	tok, _, err := NewAPIToken(7, "", "", now, 0)
	if err != nil || tok.Scope != ScopeRead || !tok.ReadOnly() {
		t.Errorf("default scope: %+v %v", tok, err)
	}
	for _, tc := range []struct {
		scope string
		ttl   time.Duration
		name  string
		field string
	}{
		{"admin", 0, "", "scope"},
		{ScopeRead, -time.Hour, "", "expires_at"},
		{ScopeRead, MaxTokenTTL + time.Hour, "", "expires_at"},
		{ScopeRead, 0, strings.Repeat("n", 101), "name"},
	} {
		_, _, err := NewAPIToken(7, tc.name, tc.scope, now, tc.ttl)
		d := trellis.ErrorDetails(err)
		if trellis.ErrorCode(err) != trellis.EINVALID || len(d) != 1 || d[0].Field != tc.field {
			t.Errorf("%+v: %v %+v", tc, err, d)
		}
	}
}

func TestAPITokenProblem(t *testing.T) {
	tok, _, _ := NewAPIToken(7, "", ScopeRead, now, time.Hour)
	if p := tok.Problem(now.Add(59 * time.Minute)); p != "" {
		t.Errorf("fresh token: %q", p)
	}
	if p := tok.Problem(now.Add(time.Hour)); p != "expired" {
		t.Errorf("at expiry: %q", p)
	}
	at := now.Add(time.Minute)
	tok.RevokedAt = &at
	if p := tok.Problem(now.Add(2 * time.Minute)); p != "revoked" {
		t.Errorf("revoked: %q", p)
	}
	if trellis.ErrorCode(ErrTokenRefused) != trellis.EUNAUTHORIZED {
		t.Error("refused token code")
	}
}

func TestWellFormed(t *testing.T) {
	_, plain, _ := NewAPIToken(1, "", "", now, 0)
	for _, bad := range []string{"", "trl_", plain[:len(plain)-1], plain + "a", strings.ToUpper(plain), "Bearer " + plain,
		"trl_" + strings.Repeat("1", 52), // '1' is not in the alphabet
	} {
		if WellFormed(bad, TokenPrefix) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestResetLink(t *testing.T) {
	admin := int64(1)
	l, plain, err := NewResetLink(7, &admin, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !WellFormed(plain, ResetLinkPrefix) || WellFormed(plain, TokenPrefix) || l.Hash != HashToken(plain) {
		t.Errorf("link %q %+v", plain, l)
	}
	if !l.ExpiresAt.Equal(now.Add(DefaultResetTTL)) || *l.CreatedBy != 1 {
		t.Errorf("link %+v", l)
	}
	if p := l.Problem(now.Add(23 * time.Hour)); p != "" {
		t.Errorf("fresh: %q", p)
	}
	if p := l.Problem(now.Add(24 * time.Hour)); p != "expired" {
		t.Errorf("expired: %q", p)
	}
	used := now.Add(time.Hour)
	l.UsedAt = &used
	if p := l.Problem(now.Add(2 * time.Hour)); p != "used" {
		t.Errorf("used: %q", p)
	}
	if _, _, err := NewResetLink(7, nil, now, 8*24*time.Hour); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Errorf("long link: %v", err)
	}
	if trellis.ErrorCode(ErrResetLinkRefused) != trellis.EINVALID {
		t.Error("refused link code")
	}
}
