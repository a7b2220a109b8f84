package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"trellis/auth"
	"trellis/seed"
	"trellis/sqlstore"
	"trellis/web"
)

// User is one signed-in seeded person: an API token with write scope and a
// browser session cookie.
type User struct {
	ID           int64
	Email        string
	Token        string
	Cookie       string
	Competencies []string // for the entries the load writes
}

// PrepareUsers picks n seeded people spread over the organisation, those
// with a target role in their growth plan so that readiness has work to do,
// and signs them in:
//
//   - API: a write-scope token per person, created through the store as
//     `trellis token create` does (valid for a day, named "trellis-load").
//   - Pages: one throwaway password is hashed once and set on every picked
//     person through the CredentialStore, then each person signs in with
//     POST /signin like a browser, and the session cookie is kept. Signing
//     in through the server, rather than writing session rows, keeps the
//     session format the server's own business.
//
// Seeded people have no passwords; the ones picked keep the throwaway one.
func PrepareUsers(ctx context.Context, dsn, base string, n int, client *http.Client) ([]User, error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	users, err := pickUsers(ctx, db, n)
	if err != nil {
		return nil, err
	}
	password := randomHex(16)
	h, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return nil, err
	}
	phc, err := h.Hash(password)
	if err != nil {
		return nil, err
	}
	tokens, creds := sqlstore.NewTokenStore(db), sqlstore.NewCredentialStore(db)
	now := time.Now().UTC()
	for i := range users {
		u := &users[i]
		tok, secret, err := auth.NewAPIToken(u.ID, "trellis-load", auth.ScopeWrite, now, 24*time.Hour)
		if err != nil {
			return nil, err
		}
		if err := tokens.CreateToken(ctx, tok); err != nil {
			return nil, fmt.Errorf("token for %s: %w", u.Email, err)
		}
		u.Token = secret
		if err := creds.SetPasswordHash(ctx, u.ID, phc); err != nil {
			return nil, fmt.Errorf("password for %s: %w", u.Email, err)
		}
	}
	for i := range users {
		u := &users[i]
		if u.Cookie, err = signIn(ctx, client, base, u.Email, password); err != nil {
			return nil, err
		}
		if u.Competencies, err = someCompetencies(ctx, client, base, u); err != nil {
			return nil, err
		}
	}
	return users, nil
}

// pickUsers returns n seeded, active people with a target role, evenly
// spread over their ids.
func pickUsers(ctx context.Context, db *sqlstore.DB, n int) ([]User, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT p.id, p.email FROM people p JOIN growth_plans g ON g.person_id = p.id
		WHERE p.email LIKE $1 AND p.active AND g.target_role_id <> ''
		ORDER BY p.id`, "%@"+seed.Domain)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []User
	for rows.Next() {
		var u User
		if err := rows.Scan(&u.ID, &u.Email); err != nil {
			return nil, err
		}
		all = append(all, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("%s has no seeded people with a target role; run trellis seed --people N --db ... first", sqlstore.MaskDSN(db.DSN))
	}
	if len(all) <= n {
		return all, nil
	}
	picked := make([]User, n)
	for i := range picked {
		picked[i] = all[i*len(all)/n]
	}
	return picked, nil
}

// signIn posts the sign-in form and returns the session cookie.
func signIn(ctx context.Context, client *http.Client, base, email, password string) (string, error) {
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/signin", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("signing in %s: %w", email, err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("signing in %s: %s without a session cookie (is --db the server's database?)", email, resp.Status)
}

// someCompetencies reads a few of the person's entries through the API,
// which also proves the token works, and returns the competencies of the
// first tagged one.
func someCompetencies(ctx context.Context, client *http.Client, base string, u *User) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/people/"+strconv.FormatInt(u.ID, 10)+"/evidence?limit=10", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+u.Token)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading the journal of %s with its new token: %s", u.Email, resp.Status)
	}
	var page struct {
		Items []struct {
			Competencies []string `json:"competencies"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("reading the journal of %s: %w", u.Email, err)
	}
	for _, it := range page.Items {
		if len(it.Competencies) > 0 {
			return it.Competencies, nil
		}
	}
	return []string{}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
