package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"trellis"
)

// OpenID Connect single sign-on: the authorization code flow with PKCE
// (S256) and a nonce, against any provider that publishes a discovery
// document. The flow is split in two so that the web layer keeps no state in
// process: Begin returns the URL to send the browser to and a LoginState that
// the caller keeps in the server-side session (or a signed, encrypted
// cookie); Finish takes that state back with the callback's query and returns
// the verified identity. Any node of a cluster can finish a sign-in begun on
// another.
//
// The identity is an email address that the provider vouches for
// (email_verified). Matching it to a person, and creating one when
// AutoProvision is on, is the caller's business: it needs the store.

// DefaultOIDCScopes are asked for when the configuration names none.
var DefaultOIDCScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// OIDCConfig is the single sign-on configuration.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, exactly as its discovery document
	// states it ("https://accounts.google.com").
	Issuer       string
	ClientID     string
	ClientSecret string // may be empty for a public client; PKCE still protects the code
	// RedirectURL is Trellis's callback, registered with the provider
	// ("https://trellis.example.com/auth/oidc/callback").
	RedirectURL string
	// Scopes to ask for; openid is always added. Empty means
	// DefaultOIDCScopes.
	Scopes []string
	// AllowedDomains, when not empty, limits sign-in to addresses at these
	// domains (exact match, no subdomains): "example.com".
	AllowedDomains []string
	// AutoProvision creates a person on the first sign-in of an address that
	// matches nobody. The caller applies it; Finish only verifies.
	AutoProvision bool
}

// Validate reports every problem of the configuration at once, as an
// EINVALID error with Details.
func (c OIDCConfig) Validate() error {
	var d []trellis.FieldError
	add := func(field, format string, args ...any) {
		d = append(d, trellis.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch iss := strings.TrimSpace(c.Issuer); {
	case iss == "":
		add("issuer", "issuer is required: the provider's URL, such as https://accounts.google.com")
	default:
		u, err := url.Parse(iss)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			add("issuer", "issuer %q is not an absolute URL such as https://accounts.google.com", c.Issuer)
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			add("issuer", "issuer %q must use https; plain http is allowed only for localhost and 127.0.0.1", c.Issuer)
		case u.RawQuery != "" || u.Fragment != "":
			add("issuer", "issuer %q may not have a query or fragment", c.Issuer)
		case u.User != nil:
			add("issuer", "issuer %q may not contain a user name or password", c.Issuer)
		}
	}
	if strings.TrimSpace(c.ClientID) == "" {
		add("client_id", "client ID is required: the id the provider gave Trellis when it was registered")
	}
	switch red := strings.TrimSpace(c.RedirectURL); {
	case red == "":
		add("redirect_url", "redirect URL is required: Trellis's callback address as registered with the provider")
	default:
		u, err := url.Parse(red)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			add("redirect_url", "redirect URL %q is not an absolute http(s) URL", c.RedirectURL)
		case u.Fragment != "":
			add("redirect_url", "redirect URL %q may not have a fragment", c.RedirectURL)
		}
	}
	for _, s := range c.Scopes {
		if s == "" || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			add("scopes", "scope %q must be one word without spaces", s)
		}
	}
	for _, dom := range c.AllowedDomains {
		if !looksLikeDomain(normalizeDomain(dom)) {
			add("allowed_domains", "%q is not a domain such as example.com", dom)
		}
	}
	if len(d) > 0 {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The single sign-on configuration has " + plural(len(d), "problem") + ".", Details: d}
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func normalizeDomain(d string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
}

func looksLikeDomain(d string) bool {
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	return strings.IndexFunc(d, func(r rune) bool {
		return !(r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}) < 0
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// LoginState is what the caller keeps between Begin and Finish, server-side
// or in a signed and encrypted cookie: never in a URL, and never longer than
// a sign-in takes (ten minutes is plenty). All three values are secrets.
type LoginState struct {
	State        string `json:"state"`
	Nonce        string `json:"nonce"`
	CodeVerifier string `json:"code_verifier"`
}

// Claims is the verified identity of a finished sign-in.
type Claims struct {
	Subject string // the provider's stable id for the account
	Email   string // verified, normalised (trellis.NormalizeEmail)
	Name    string // may be empty
}

// OIDC is a configured relying party. It holds no per-sign-in state and is
// safe for concurrent use.
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

// oidcTimeout bounds every call to the provider when the context carries no
// HTTP client of its own.
const oidcTimeout = 15 * time.Second

// NewOIDC validates cfg and fetches the provider's discovery document. The
// HTTP client is the one in ctx (oidc.ClientContext), or a default with a
// timeout; it is kept for the token exchange and key fetches.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Issuer = strings.TrimSpace(cfg.Issuer)
	cfg.ClientID = strings.TrimSpace(cfg.ClientID)
	cfg.RedirectURL = strings.TrimSpace(cfg.RedirectURL)
	scopes := slices.Clone(cfg.Scopes)
	if len(scopes) == 0 {
		scopes = slices.Clone(DefaultOIDCScopes)
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	cfg.Scopes = scopes
	domains := make([]string, 0, len(cfg.AllowedDomains))
	for _, d := range cfg.AllowedDomains {
		domains = append(domains, normalizeDomain(d))
	}
	cfg.AllowedDomains = domains

	client, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok || client == nil {
		client = &http.Client{Timeout: oidcTimeout}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, discoveryError(cfg.Issuer, err)
	}
	var meta struct {
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return nil, discoveryError(cfg.Issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = authStyle(meta.AuthMethods, cfg.ClientSecret)
	o := &OIDC{
		cfg:      cfg,
		provider: provider,
		client:   client,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Endpoint:     endpoint,
			Scopes:       scopes,
		},
	}
	o.verifier = provider.Verifier(&oidc.Config{ClientID: cfg.ClientID})
	return o, nil
}

// authStyle picks how the client authenticates at the token endpoint from
// what the provider advertises. It must be decided up front: left to
// oauth2's probing, a first refused attempt would spend the single-use code
// and the retry would fail with a misleading "code already used".
func authStyle(methods []string, secret string) oauth2.AuthStyle {
	switch {
	case secret == "":
		return oauth2.AuthStyleInParams // a public client sends only client_id
	case len(methods) == 0 || slices.Contains(methods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader // the default of OpenID Connect Discovery
	case slices.Contains(methods, "client_secret_post"):
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

func discoveryError(issuer string, err error) error {
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		return trellis.Errorf(trellis.EINVALID, "The identity provider at %s calls itself %q: set the issuer to exactly that value.", issuer, mismatch.Discovered)
	}
	return trellis.Errorf(trellis.EUNAVAILABLE, "The identity provider's discovery document at %s/.well-known/openid-configuration could not be read (%v). Check the issuer URL and that Trellis can reach it.", strings.TrimSuffix(issuer, "/"), err)
}

// Config returns the configuration in effect (scopes and domains
// normalised).
func (o *OIDC) Config() OIDCConfig {
	c := o.cfg
	c.Scopes = slices.Clone(c.Scopes)
	c.AllowedDomains = slices.Clone(c.AllowedDomains)
	return c
}

// Begin starts a sign-in: send the browser to authURL and keep st for
// Finish.
func (o *OIDC) Begin() (authURL string, st LoginState) {
	st = LoginState{
		State:        rand.Text(),
		Nonce:        rand.Text(),
		CodeVerifier: oauth2.GenerateVerifier(),
	}
	authURL = o.oauth.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.CodeVerifier))
	return authURL, st
}

// ErrNoSignInStarted is Finish's answer when the caller has no LoginState:
// the session expired, or the callback was opened in another browser.
var ErrNoSignInStarted = &trellis.Error{Code: trellis.EUNAUTHORIZED, Message: "No single sign-on was started in this browser, or it took too long. Start the sign-in again."}

// Finish completes the sign-in begun with st, given the query of the
// request to the redirect URL. It checks the state, exchanges the code with
// the PKCE verifier, verifies the ID token (signature, issuer, audience,
// expiry, nonce) and requires a verified email address at an allowed
// domain. A refusal is an EUNAUTHORIZED error saying why; a provider that
// cannot be reached is EUNAVAILABLE; a provider that rejects Trellis's own
// credentials or request is EINTERNAL, with a message for the administrator.
// No message contains a code or token.
func (o *OIDC) Finish(ctx context.Context, st LoginState, query url.Values) (Claims, error) {
	if st.State == "" || st.Nonce == "" || st.CodeVerifier == "" {
		return Claims{}, ErrNoSignInStarted
	}
	gotState := query.Get("state")
	stateOK := subtle.ConstantTimeCompare([]byte(gotState), []byte(st.State)) == 1
	if e := query.Get("error"); e != "" && (stateOK || gotState == "") {
		// An error without state is shown too: it reveals nothing and signs
		// nobody in, and some providers omit state on errors.
		return Claims{}, authorizeError(e)
	}
	if !stateOK {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The answer from the identity provider does not belong to the sign-in started in this browser (the state does not match). Start the sign-in again.")
	}
	code := query.Get("code")
	if code == "" {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The answer from the identity provider carries no authorization code. Start the sign-in again.")
	}

	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.CodeVerifier))
	if err != nil {
		return Claims{}, exchangeError(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return Claims{}, trellis.Errorf(trellis.EINTERNAL, "The identity provider returned no ID token. An administrator should check that the client is set up for OpenID Connect (the openid scope).")
	}
	idt, err := o.verifier.Verify(ctx, rawID)
	if err != nil {
		return Claims{}, verifyError(err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token from the identity provider was issued for a different sign-in (the nonce does not match). Start the sign-in again.")
	}

	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token from the identity provider has malformed claims: %v.", err)
	}
	// OpenID Connect Core 3.1.3.7: with several audiences, the token must
	// name us as the party it was issued to.
	if len(idt.Audience) > 1 && c.AuthorizedParty != o.cfg.ClientID {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token from the identity provider was issued to another application (azp %q). Ask an administrator to check the single sign-on client ID.", c.AuthorizedParty)
	}
	if c.Email == "" {
		// Some providers keep the ID token small and tell the address only
		// at the userinfo endpoint.
		if err := o.userInfo(ctx, tok, idt.Subject, &c); err != nil {
			return Claims{}, err
		}
	}
	return o.accept(idt.Subject, c)
}

// idClaims are the claims read from the ID token or userinfo.
type idClaims struct {
	Email           string   `json:"email"`
	EmailVerified   flexBool `json:"email_verified"`
	Name            string   `json:"name"`
	GivenName       string   `json:"given_name"`
	FamilyName      string   `json:"family_name"`
	AuthorizedParty string   `json:"azp"`
}

// flexBool reads a JSON boolean, or the strings "true" and "false" that
// some providers send.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		*b = flexBool(v)
	case string:
		*b = flexBool(strings.EqualFold(v, "true"))
	case nil:
		*b = false
	default:
		return fmt.Errorf("email_verified is %T, not a boolean", v)
	}
	return nil
}

func (o *OIDC) userInfo(ctx context.Context, tok *oauth2.Token, subject string, c *idClaims) error {
	if o.provider.UserInfoEndpoint() == "" {
		return errNoEmail
	}
	ui, err := o.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return trellis.Errorf(trellis.EUNAVAILABLE, "The identity provider's userinfo endpoint could not be read for the email address (%v). Try again later.", scrub(err, tok))
	}
	if ui.Subject != subject {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider's userinfo answer is about another account than the ID token. Start the sign-in again.")
	}
	var u idClaims
	if err := ui.Claims(&u); err != nil {
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider's userinfo answer has malformed claims: %v.", err)
	}
	c.Email, c.EmailVerified = u.Email, u.EmailVerified
	if c.Name == "" && c.GivenName == "" && c.FamilyName == "" {
		c.Name, c.GivenName, c.FamilyName = u.Name, u.GivenName, u.FamilyName
	}
	return nil
}

var errNoEmail = &trellis.Error{Code: trellis.EUNAUTHORIZED, Message: "The identity provider did not tell Trellis your email address, which it needs to find you. An administrator should check that the email scope is granted."}

// accept applies the email rules to verified claims.
func (o *OIDC) accept(subject string, c idClaims) (Claims, error) {
	email := trellis.NormalizeEmail(c.Email)
	if email == "" {
		return Claims{}, errNoEmail
	}
	if !c.EmailVerified {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider has not verified the email address %s, so Trellis cannot sign you in with it. Verify the address with the provider, then sign in again.", email)
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider gave %q as your email address, which is not an address Trellis can match to a person.", email)
	}
	if len(o.cfg.AllowedDomains) > 0 && !slices.Contains(o.cfg.AllowedDomains, email[at+1:]) {
		return Claims{}, trellis.Errorf(trellis.EUNAUTHORIZED, "Single sign-on with %s is not allowed here: only addresses at %s may sign in.", email, strings.Join(o.cfg.AllowedDomains, ", "))
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = strings.TrimSpace(strings.TrimSpace(c.GivenName) + " " + strings.TrimSpace(c.FamilyName))
	}
	return Claims{Subject: subject, Email: email, Name: name}, nil
}

// authorizeError turns an error response of the authorization endpoint
// (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6) into a message. The
// error_description is not shown: it arrives through the browser and anyone
// can put words in it.
func authorizeError(code string) error {
	if !oauthErrorCode(code) {
		code = "unknown"
	}
	switch code {
	case "access_denied":
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider refused the sign-in (access_denied): it was cancelled, or your account there may not use Trellis. Ask your administrator if you think it should.")
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider needs you to sign in or give consent there first (%s). Start the sign-in again.", code)
	case "temporarily_unavailable", "server_error":
		return trellis.Errorf(trellis.EUNAVAILABLE, "The identity provider could not complete the sign-in right now (%s). Try again in a few minutes.", code)
	}
	return trellis.Errorf(trellis.EINTERNAL, "The identity provider rejected Trellis's sign-in request (%s). An administrator should check the single sign-on settings (client ID, redirect URL, scopes).", code)
}

// oauthErrorCode reports whether s has the shape of an OAuth error code, so
// that only such a word is echoed into a message.
func oauthErrorCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool { return !(r == '_' || (r >= 'a' && r <= 'z')) }) < 0
}

// exchangeError turns a failed token request into a message.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return trellis.Errorf(trellis.EUNAVAILABLE, "The identity provider's token endpoint could not be reached to finish the sign-in (%v). Try again later.", err)
	}
	desc := printable(re.ErrorDescription, 200)
	detail := re.ErrorCode
	if !oauthErrorCode(detail) {
		detail = "no OAuth error code"
		if re.Response != nil {
			detail = "HTTP " + re.Response.Status
		}
	}
	if desc != "" {
		detail += ": " + desc
	}
	switch re.ErrorCode {
	case "invalid_grant":
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The identity provider did not accept the sign-in code (%s). A code works once and for a few minutes only. Start the sign-in again.", detail)
	case "invalid_client", "unauthorized_client":
		return trellis.Errorf(trellis.EINTERNAL, "The identity provider did not accept Trellis's client credentials (%s). An administrator should check the single sign-on client ID and secret.", detail)
	}
	if re.Response != nil && re.Response.StatusCode >= 500 {
		return trellis.Errorf(trellis.EUNAVAILABLE, "The identity provider failed to finish the sign-in (%s). Try again later.", detail)
	}
	return trellis.Errorf(trellis.EINTERNAL, "The identity provider rejected Trellis's token request (%s). An administrator should check the single sign-on settings.", detail)
}

// verifyError turns a failed ID token verification into a message. The
// checks themselves are go-oidc's; only the wording is chosen here, so a
// change of its error texts can blur a message but never weaken a check.
func verifyError(err error) error {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token from the identity provider expired at %s. If this keeps happening, the clocks of Trellis and the provider disagree. Start the sign-in again.", expired.Expiry.UTC().Format(time.RFC3339))
	case strings.Contains(msg, "expected audience"):
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token from the identity provider was issued for another application (wrong audience). An administrator should check the single sign-on client ID.")
	case strings.Contains(msg, "issued by a different provider"):
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token was issued by another identity provider than the configured issuer.")
	case strings.Contains(msg, "fetching keys"):
		return trellis.Errorf(trellis.EUNAVAILABLE, "The identity provider's signing keys could not be fetched to check the sign-in. Try again later.")
	case strings.Contains(msg, "signature"):
		return trellis.Errorf(trellis.EUNAUTHORIZED, "The signature of the ID token from the identity provider does not verify with the provider's published keys, so the sign-in was refused.")
	}
	return trellis.Errorf(trellis.EUNAUTHORIZED, "The ID token from the identity provider could not be verified, so the sign-in was refused.")
}

// printable keeps at most n runes of s without control characters.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

// scrub removes the access token from an error text, should a transport
// ever echo it.
func scrub(err error, tok *oauth2.Token) string {
	s := err.Error()
	if tok != nil && tok.AccessToken != "" {
		s = strings.ReplaceAll(s, tok.AccessToken, "[token]")
	}
	return s
}
