// Package oidctest is a small but real OpenID Connect provider for tests. It
// listens on a loopback socket (httptest), publishes a discovery document and
// a JSON Web Key Set, and runs the authorization code flow with PKCE (S256)
// the way a production provider does: /authorize answers a browser GET with
// a 302 back to the client, /token authenticates the client, redeems each
// code once and checks the code verifier against the recorded challenge, and
// the ID token is an RS256 JWT signed with a key generated for this provider.
//
// Consent is automatic: whoever reaches /authorize is signed in as the
// provider's current user (SetUser). Options make the provider misbehave in
// the ways a relying party must survive: a token for another audience, an
// expired token, a bad signature, a refusal.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults for the registered client.
const (
	DefaultClientID     = "trellis-test"
	DefaultClientSecret = "trellis-test-secret"
)

// Lifetimes on the provider's clock.
const (
	CodeTTL    = 5 * time.Minute
	IDTokenTTL = 10 * time.Minute
)

// User is the account the provider signs in whoever reaches /authorize.
type User struct {
	Subject       string
	Email         string
	Name          string
	EmailVerified bool
}

// DefaultUser is signed in until SetUser says otherwise.
var DefaultUser = User{Subject: "user-1", Email: "ada@example.com", Name: "Ada Lovelace", EmailVerified: true}

// Option configures a Provider at Start.
type Option func(*Provider)

// WithClient registers the client with this id and secret instead of
// DefaultClientID and DefaultClientSecret.
func WithClient(id, secret string) Option {
	return func(p *Provider) { p.clientID, p.clientSecret = id, secret }
}

// WithRedirectURIs restricts the redirect URIs the client may use. Without
// it any http or https URI is accepted (the client's address in a test is
// often known only after the provider has started).
func WithRedirectURIs(uris ...string) Option {
	return func(p *Provider) { p.redirectURIs = uris }
}

// WithUser sets the initial user (see SetUser).
func WithUser(u User) Option {
	return func(p *Provider) { p.user = u }
}

// WithClock makes the provider read the time from now: iat and exp of ID
// tokens and the expiry of codes follow it. A clock an hour behind the
// relying party's issues tokens that are already expired there.
func WithClock(now func() time.Time) Option {
	return func(p *Provider) { p.now = now }
}

// WithWrongAudience issues ID tokens for another client.
func WithWrongAudience() Option {
	return func(p *Provider) { p.wrongAudience = true }
}

// WithExpiredIDToken issues ID tokens whose exp lies a minute in the past.
func WithExpiredIDToken() Option {
	return func(p *Provider) { p.expired = true }
}

// WithBadSignature issues ID tokens whose signature does not verify with any
// published key.
func WithBadSignature() Option {
	return func(p *Provider) { p.badSignature = true }
}

// WithDeny makes /authorize refuse: it redirects back with
// error=access_denied, as a provider does when the person cancels or is not
// assigned to the application.
func WithDeny() Option {
	return func(p *Provider) { p.deny = true }
}

// WithTokenAuthMethods limits how the client may authenticate at /token
// ("client_secret_basic", "client_secret_post") and advertises just those.
// By default both are accepted.
func WithTokenAuthMethods(methods ...string) Option {
	return func(p *Provider) { p.authMethods = methods }
}

// WithEmailInUserInfoOnly leaves email, email_verified and name out of the ID
// token; only /userinfo tells them (as some providers do with minimal ID
// tokens).
func WithEmailInUserInfoOnly() Option {
	return func(p *Provider) { p.userInfoOnly = true }
}

// Provider is a running OpenID provider. Its methods are safe for concurrent
// use.
type Provider struct {
	srv          *httptest.Server
	key          *rsa.PrivateKey
	kid          string
	clientID     string
	clientSecret string
	redirectURIs []string
	authMethods  []string
	now          func() time.Time

	wrongAudience, expired, badSignature, deny, userInfoOnly bool

	mu     sync.Mutex
	user   User
	codes  map[string]*grant // by code
	access map[string]User   // by access token
}

// grant is what /authorize remembers about an issued code.
type grant struct {
	clientID    string
	redirectURI string
	challenge   string // S256 code challenge
	nonce       string
	scope       string
	user        User
	expires     time.Time
}

// Start runs a provider until the test ends.
func Start(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("oidctest: generating the signing key: %v", err)
	}
	p := &Provider{
		key:          key,
		kid:          rand.Text()[:16],
		clientID:     DefaultClientID,
		clientSecret: DefaultClientSecret,
		authMethods:  []string{"client_secret_basic", "client_secret_post"},
		now:          time.Now,
		user:         DefaultUser,
		codes:        map[string]*grant{},
		access:       map[string]User{},
	}
	for _, o := range opts {
		o(p)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /userinfo", p.userinfo)
	mux.HandleFunc("POST /userinfo", p.userinfo)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// Issuer is the provider's issuer identifier: its base URL, without a
// trailing slash.
func (p *Provider) Issuer() string { return p.srv.URL }

// ClientID returns the registered client's id.
func (p *Provider) ClientID() string { return p.clientID }

// ClientSecret returns the registered client's secret.
func (p *Provider) ClientSecret() string { return p.clientSecret }

// SetUser changes who is signed in at the next /authorize.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// Close stops the server before the test ends (to test an unreachable
// provider).
func (p *Provider) Close() { p.srv.Close() }

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	iss := p.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": p.authMethods,
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"iss", "aud", "sub", "exp", "iat", "nonce", "email", "email_verified", "name"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": p.kid,
		"n":   b64(pub.N.Bytes()),
		"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize is the authorization endpoint. Errors about the client or the
// redirect URI are shown here (redirecting to an unverified URI would make
// the provider an open redirector); all others go back to the client.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.clientID {
		http.Error(w, "oidctest: unknown client_id", http.StatusBadRequest)
		return
	}
	redirectURI := q.Get("redirect_uri")
	u, err := url.Parse(redirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		http.Error(w, "oidctest: redirect_uri must be an absolute http(s) URI", http.StatusBadRequest)
		return
	}
	if len(p.redirectURIs) > 0 && !slices.Contains(p.redirectURIs, redirectURI) {
		http.Error(w, "oidctest: redirect_uri is not registered for this client", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		if st := q.Get("state"); st != "" {
			params.Set("state", st)
		}
		v := u.Query()
		for k, vs := range params {
			v[k] = vs
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) {
		back(url.Values{"error": {code}, "error_description": {desc}})
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow (response_type=code) is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "the openid scope is required")
		return
	case q.Get("code_challenge") == "":
		fail("invalid_request", "PKCE is required: code_challenge is missing")
		return
	case q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE code_challenge_method must be S256")
		return
	case p.deny:
		fail("access_denied", "the user denied the request")
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = &grant{
		clientID:    p.clientID,
		redirectURI: redirectURI,
		challenge:   q.Get("code_challenge"),
		nonce:       q.Get("nonce"),
		scope:       q.Get("scope"),
		user:        p.user,
		expires:     p.now().Add(CodeTTL),
	}
	p.mu.Unlock()
	back(url.Values{"code": {code}})
}

// token is the token endpoint for the authorization_code grant.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "the request body is not a form")
		return
	}
	id, secret, basic := r.BasicAuth()
	method := "client_secret_post"
	if basic {
		method = "client_secret_basic"
		// RFC 6749 2.3.1: both are form-urlencoded before Basic encoding.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if !slices.Contains(p.authMethods, method) || id != p.clientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.clientSecret)) != 1 {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="oidctest"`)
		}
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported", gt))
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g := p.codes[code]
	delete(p.codes, code) // single use, whatever happens next
	p.mu.Unlock()
	switch {
	case g == nil:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the authorization code is unknown or was already used")
		return
	case !p.now().Before(g.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the authorization code has expired")
		return
	case g.clientID != id:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the authorization code was issued to another client")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the one of the authorization request")
		return
	}
	verifier := r.PostForm.Get("code_verifier")
	if verifier == "" {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE code_verifier is missing")
		return
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(g.challenge)) != 1 {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE code_verifier does not match the code_challenge")
		return
	}
	idToken, err := p.idToken(g)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	access := rand.Text()
	p.mu.Lock()
	p.access[access] = g.user
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   3600,
		"scope":        g.scope,
		"id_token":     idToken,
	})
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	u, known := p.access[tok]
	p.mu.Unlock()
	if !ok || !known {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid access token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub":            u.Subject,
		"email":          u.Email,
		"email_verified": u.EmailVerified,
		"name":           u.Name,
	})
}

// idToken makes the signed ID token for a redeemed grant.
func (p *Provider) idToken(g *grant) (string, error) {
	now := p.now()
	exp := now.Add(IDTokenTTL)
	if p.expired {
		exp = now.Add(-time.Minute)
	}
	aud := g.clientID
	if p.wrongAudience {
		aud = "some-other-client"
	}
	claims := map[string]any{
		"iss": p.Issuer(),
		"aud": aud,
		"sub": g.user.Subject,
		"iat": now.Unix(),
		"exp": exp.Unix(),
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if !p.userInfoOnly {
		claims["email"] = g.user.Email
		claims["email_verified"] = g.user.EmailVerified
		claims["name"] = g.user.Name
	}
	return p.sign(claims)
}

// sign encodes claims as a compact JWS signed with RS256.
func (p *Provider) sign(claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": p.kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	if p.badSignature {
		sig[len(sig)/2] ^= 0xff
	}
	return input + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tokenError writes an OAuth 2.0 error response (RFC 6749 5.2).
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
