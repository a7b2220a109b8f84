package oidctest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"trellis/auth/oidctest"
)

// The provider is tested over the wire, without the relying party, so that
// its strictness does not depend on the client library being correct.

const redirect = "http://127.0.0.1:9/callback"

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

const verifier = "a-verifier-of-at-least-forty-three-characters-long-0123456789"

// authorize runs /authorize with extra overriding the defaults and returns
// the redirect's status and Location.
func authorize(t *testing.T, p *oidctest.Provider, extra url.Values) (int, *url.URL) {
	t.Helper()
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {p.ClientID()},
		"redirect_uri":          {redirect},
		"scope":                 {"openid email profile"},
		"state":                 {"st-1"},
		"nonce":                 {"n-1"},
		"code_challenge":        {challenge(verifier)},
		"code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := noFollow.Get(p.Issuer() + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	return resp.StatusCode, loc
}

func code(t *testing.T, p *oidctest.Provider) string {
	t.Helper()
	status, loc := authorize(t, p, nil)
	if status != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st-1" {
		t.Fatalf("authorize: %d %v", status, loc)
	}
	return loc.Query().Get("code")
}

// token posts to /token with the client in Basic auth and returns the
// status and the decoded JSON.
func token(t *testing.T, p *oidctest.Provider, form url.Values, id, secret string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.Issuer()+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token response is not JSON: %v", err)
	}
	return resp.StatusCode, body
}

func redeem(c string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
}

func TestFlowAndIDToken(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	p := oidctest.Start(t, oidctest.WithClock(func() time.Time { return now }))
	p.SetUser(oidctest.User{Subject: "s-1", Email: "kay@example.com", Name: "Kay", EmailVerified: true})
	status, body := token(t, p, redeem(code(t, p)), p.ClientID(), p.ClientSecret())
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, body)
	}
	raw, _ := body["id_token"].(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q is not a compact JWS", raw)
	}

	// The signature verifies with the published key.
	resp, err := http.Get(p.Issuer() + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []struct{ Kty, Alg, Kid, N, E string }
	}
	json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if len(set.Keys) != 1 || set.Keys[0].Kty != "RSA" || set.Keys[0].Alg != "RS256" {
		t.Fatalf("jwks = %+v", set)
	}
	n, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].N)
	e, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].E)
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify with the JWKS key: %v", err)
	}
	var header map[string]string
	hb, _ := base64.RawURLEncoding.DecodeString(parts[0])
	json.Unmarshal(hb, &header)
	if header["alg"] != "RS256" || header["kid"] != set.Keys[0].Kid {
		t.Errorf("header = %v", header)
	}

	var claims map[string]any
	cb, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(cb, &claims)
	want := map[string]any{
		"iss": p.Issuer(), "aud": p.ClientID(), "sub": "s-1", "email": "kay@example.com",
		"email_verified": true, "name": "Kay", "nonce": "n-1",
		"iat": float64(now.Unix()), "exp": float64(now.Add(oidctest.IDTokenTTL).Unix()),
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}

	// The access token opens /userinfo.
	req, _ := http.NewRequest("GET", p.Issuer()+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ui map[string]any
	json.NewDecoder(resp.Body).Decode(&ui)
	resp.Body.Close()
	if resp.StatusCode != 200 || ui["sub"] != "s-1" || ui["email"] != "kay@example.com" {
		t.Errorf("userinfo: %d %v", resp.StatusCode, ui)
	}
	req.Header.Set("Authorization", "Bearer not-a-token")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("userinfo with a wrong token: %d, want 401", resp.StatusCode)
	}
}

func TestTokenRefusals(t *testing.T) {
	p := oidctest.Start(t)
	tests := []struct {
		name         string
		edit         func(url.Values)
		id, secret   string
		status       int
		error, descr string
	}{
		{"wrong secret", nil, oidctest.DefaultClientID, "nope", 401, "invalid_client", "client authentication"},
		{"no client", nil, "", "", 401, "invalid_client", "client authentication"},
		{"wrong grant type", func(v url.Values) { v.Set("grant_type", "password") }, "", "", 400, "unsupported_grant_type", "password"},
		{"unknown code", func(v url.Values) { v.Set("code", "made-up") }, "", "", 400, "invalid_grant", "unknown or was already used"},
		{"other redirect_uri", func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9/other") }, "", "", 400, "invalid_grant", "redirect_uri"},
		{"no verifier", func(v url.Values) { v.Del("code_verifier") }, "", "", 400, "invalid_grant", "code_verifier is missing"},
		{"wrong verifier", func(v url.Values) { v.Set("code_verifier", strings.Repeat("x", 43)) }, "", "", 400, "invalid_grant", "does not match the code_challenge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := redeem(code(t, p))
			if tt.edit != nil {
				tt.edit(form)
			}
			id, secret := tt.id, tt.secret
			if id == "" && tt.error != "invalid_client" {
				id, secret = p.ClientID(), p.ClientSecret()
			}
			status, body := token(t, p, form, id, secret)
			if status != tt.status || body["error"] != tt.error || !strings.Contains(body["error_description"].(string), tt.descr) {
				t.Errorf("got %d %v, want %d %s (%s)", status, body, tt.status, tt.error, tt.descr)
			}
		})
	}

	// A code works once, even when the first use succeeded.
	c := code(t, p)
	if status, body := token(t, p, redeem(c), p.ClientID(), p.ClientSecret()); status != 200 {
		t.Fatalf("first redemption: %d %v", status, body)
	}
	if status, body := token(t, p, redeem(c), p.ClientID(), p.ClientSecret()); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("second redemption: %d %v", status, body)
	}
}

func TestClientSecretPostOnly(t *testing.T) {
	p := oidctest.Start(t, oidctest.WithTokenAuthMethods("client_secret_post"))
	if status, body := token(t, p, redeem(code(t, p)), p.ClientID(), p.ClientSecret()); status != 401 {
		t.Errorf("Basic auth accepted: %d %v", status, body)
	}
	form := redeem(code(t, p))
	form.Set("client_id", p.ClientID())
	form.Set("client_secret", p.ClientSecret())
	if status, body := token(t, p, form, "", ""); status != 200 {
		t.Errorf("client_secret_post refused: %d %v", status, body)
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	p := oidctest.Start(t, oidctest.WithRedirectURIs(redirect))

	// Client and redirect URI problems are shown, never redirected.
	for name, extra := range map[string]url.Values{
		"unknown client":          {"client_id": {"someone-else"}},
		"unregistered redirect":   {"redirect_uri": {"https://attacker.example/cb"}},
		"relative redirect":       {"redirect_uri": {"/cb"}},
		"javascript redirect URI": {"redirect_uri": {"javascript:alert(1)"}},
	} {
		if status, loc := authorize(t, p, extra); status != http.StatusBadRequest {
			t.Errorf("%s: %d %v, want 400", name, status, loc)
		}
	}

	// Other problems go back to the client as OAuth errors with the state.
	for name, tc := range map[string]struct {
		extra url.Values
		error string
	}{
		"no PKCE":         {url.Values{"code_challenge": {""}}, "invalid_request"},
		"plain PKCE":      {url.Values{"code_challenge_method": {"plain"}}, "invalid_request"},
		"no openid scope": {url.Values{"scope": {"email"}}, "invalid_scope"},
		"implicit flow":   {url.Values{"response_type": {"id_token"}}, "unsupported_response_type"},
	} {
		status, loc := authorize(t, p, tc.extra)
		if status != http.StatusFound || loc.Query().Get("error") != tc.error || loc.Query().Get("state") != "st-1" || loc.Query().Get("code") != "" {
			t.Errorf("%s: %d %v, want a redirect with error=%s", name, status, loc, tc.error)
		}
	}

	deny := oidctest.Start(t, oidctest.WithDeny())
	status, loc := authorize(t, deny, nil)
	if status != http.StatusFound || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st-1" {
		t.Errorf("deny: %d %v", status, loc)
	}
}

func TestDiscovery(t *testing.T) {
	p := oidctest.Start(t)
	resp, err := http.Get(p.Issuer() + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	json.NewDecoder(resp.Body).Decode(&d)
	if d["issuer"] != p.Issuer() || d["jwks_uri"] != p.Issuer()+"/jwks" || d["token_endpoint"] != p.Issuer()+"/token" {
		t.Errorf("discovery = %v", d)
	}
}
