package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"trellis"
	"trellis/auth"
	"trellis/auth/oidctest"
)

const callback = "https://trellis.example.com/auth/oidc/callback"

// relyingParty starts a provider with opts and a relying party for it.
func relyingParty(t *testing.T, cfg auth.OIDCConfig, opts ...oidctest.Option) (*auth.OIDC, *oidctest.Provider) {
	t.Helper()
	p := oidctest.Start(t, opts...)
	cfg.Issuer = p.Issuer()
	cfg.ClientID = p.ClientID()
	cfg.ClientSecret = p.ClientSecret()
	cfg.RedirectURL = callback
	o, err := auth.NewOIDC(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	return o, p
}

// authorize sends a browser-like GET to authURL and returns the query of
// the provider's redirect back to Trellis, which it does not follow.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("GET /authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET /authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location: %v", err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != callback {
		t.Fatalf("redirected to %s, want %s", got, callback)
	}
	return loc.Query()
}

// wantRefusal checks the error code and that the message contains each of
// the fragments (case-insensitive) and none of the secrets.
func wantRefusal(t *testing.T, err error, code string, fragments []string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Finish succeeded, want %s error", code)
	}
	if got := trellis.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (%v)", got, code, err)
	}
	msg := trellis.ErrorMessage(err)
	for _, f := range fragments {
		if !strings.Contains(strings.ToLower(msg), strings.ToLower(f)) {
			t.Errorf("message %q does not say %q", msg, f)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("message %q leaks a secret", msg)
		}
	}
}

func TestOIDCHappyPath(t *testing.T) {
	o, p := relyingParty(t, auth.OIDCConfig{AllowedDomains: []string{"Example.com"}})
	p.SetUser(oidctest.User{Subject: "u-42", Email: "  Grace.Hopper@Example.COM ", Name: "Grace Hopper", EmailVerified: true})

	authURL, st := o.Begin()
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != oauth2.S256ChallengeFromVerifier(st.CodeVerifier) {
		t.Errorf("auth URL lacks the S256 challenge: %s", authURL)
	}
	if q.Get("nonce") != st.Nonce || q.Get("state") != st.State || st.Nonce == st.State {
		t.Errorf("auth URL state/nonce: %s, state %+v", authURL, st)
	}
	if !strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		t.Errorf("scope = %q, want openid", q.Get("scope"))
	}
	if strings.Contains(authURL, st.CodeVerifier) {
		t.Error("auth URL contains the code verifier")
	}

	c, err := o.Finish(context.Background(), st, authorize(t, authURL))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	want := auth.Claims{Subject: "u-42", Email: "grace.hopper@example.com", Name: "Grace Hopper"}
	if c != want {
		t.Errorf("claims = %+v, want %+v", c, want)
	}

	// A second sign-in gets fresh secrets.
	_, st2 := o.Begin()
	if st2.State == st.State || st2.Nonce == st.Nonce || st2.CodeVerifier == st.CodeVerifier {
		t.Error("Begin reused a secret")
	}
}

func TestOIDCEmailFromUserInfo(t *testing.T) {
	o, _ := relyingParty(t, auth.OIDCConfig{}, oidctest.WithEmailInUserInfoOnly())
	authURL, st := o.Begin()
	c, err := o.Finish(context.Background(), st, authorize(t, authURL))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if c.Email != oidctest.DefaultUser.Email || c.Subject != oidctest.DefaultUser.Subject || c.Name != oidctest.DefaultUser.Name {
		t.Errorf("claims = %+v, want those of %+v", c, oidctest.DefaultUser)
	}
}

func TestOIDCWrongState(t *testing.T) {
	o, _ := relyingParty(t, auth.OIDCConfig{})
	authURL, st := o.Begin()
	q := authorize(t, authURL)

	// The callback belongs to another browser's sign-in.
	_, other := o.Begin()
	_, err := o.Finish(context.Background(), other, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"state does not match", "start the sign-in again"}, q.Get("code"))

	// No state at all in the callback.
	q2 := url.Values{"code": {q.Get("code")}}
	_, err = o.Finish(context.Background(), st, q2)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"state does not match"}, q.Get("code"))

	// No sign-in kept in the session.
	_, err = o.Finish(context.Background(), auth.LoginState{}, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"no single sign-on was started"})

	// The code was not spent by the refusals: the right state still works.
	if _, err := o.Finish(context.Background(), st, q); err != nil {
		t.Fatalf("Finish with the right state: %v", err)
	}
}

func TestOIDCReplayedCode(t *testing.T) {
	o, _ := relyingParty(t, auth.OIDCConfig{})
	authURL, st := o.Begin()
	q := authorize(t, authURL)
	if _, err := o.Finish(context.Background(), st, q); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	_, err := o.Finish(context.Background(), st, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"did not accept the sign-in code", "already used"}, q.Get("code"))
}

func TestOIDCPKCEMismatch(t *testing.T) {
	o, _ := relyingParty(t, auth.OIDCConfig{})
	authURL, st := o.Begin()
	q := authorize(t, authURL)
	forged := st
	forged.CodeVerifier = oauth2.GenerateVerifier()
	_, err := o.Finish(context.Background(), forged, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"did not accept the sign-in code", "code_verifier does not match"}, q.Get("code"), forged.CodeVerifier, st.CodeVerifier)
}

func TestOIDCNonceMismatch(t *testing.T) {
	o, _ := relyingParty(t, auth.OIDCConfig{})
	authURL, st := o.Begin()
	q := authorize(t, authURL)
	forged := st
	forged.Nonce = "another-sign-in"
	_, err := o.Finish(context.Background(), forged, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"nonce does not match"}, q.Get("code"))
}

func TestOIDCProviderMisbehaves(t *testing.T) {
	hourBehind := func() time.Time { return time.Now().Add(-time.Hour) }
	tests := []struct {
		name      string
		opts      []oidctest.Option
		user      *oidctest.User
		domains   []string
		code      string
		fragments []string
	}{
		{"wrong audience", []oidctest.Option{oidctest.WithWrongAudience()}, nil, nil,
			trellis.EUNAUTHORIZED, []string{"issued for another application", "wrong audience"}},
		{"expired ID token", []oidctest.Option{oidctest.WithExpiredIDToken()}, nil, nil,
			trellis.EUNAUTHORIZED, []string{"ID token", "expired"}},
		{"provider clock an hour behind", []oidctest.Option{oidctest.WithClock(hourBehind)}, nil, nil,
			trellis.EUNAUTHORIZED, []string{"expired", "clocks"}},
		{"bad signature", []oidctest.Option{oidctest.WithBadSignature()}, nil, nil,
			trellis.EUNAUTHORIZED, []string{"signature", "does not verify"}},
		{"unverified email", nil, &oidctest.User{Subject: "u-7", Email: "mallory@example.com", Name: "Mallory", EmailVerified: false}, nil,
			trellis.EUNAUTHORIZED, []string{"not verified", "mallory@example.com"}},
		{"no email", nil, &oidctest.User{Subject: "u-8", Name: "Nobody", EmailVerified: true}, nil,
			trellis.EUNAUTHORIZED, []string{"did not tell trellis your email address"}},
		{"disallowed domain", nil, &oidctest.User{Subject: "u-9", Email: "eve@evil.example.org", Name: "Eve", EmailVerified: true}, []string{"example.com", "@corp.example.com"},
			trellis.EUNAUTHORIZED, []string{"eve@evil.example.org", "not allowed", "example.com, corp.example.com"}},
		{"subdomain is not the domain", nil, &oidctest.User{Subject: "u-10", Email: "sam@sub.example.com", Name: "Sam", EmailVerified: true}, []string{"example.com"},
			trellis.EUNAUTHORIZED, []string{"not allowed"}},
		{"provider denies", []oidctest.Option{oidctest.WithDeny()}, nil, nil,
			trellis.EUNAUTHORIZED, []string{"refused the sign-in", "access_denied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, p := relyingParty(t, auth.OIDCConfig{AllowedDomains: tt.domains}, tt.opts...)
			if tt.user != nil {
				p.SetUser(*tt.user)
			}
			authURL, st := o.Begin()
			q := authorize(t, authURL)
			c, err := o.Finish(context.Background(), st, q)
			if err == nil {
				t.Fatalf("Finish = %+v, want a refusal", c)
			}
			wantRefusal(t, err, tt.code, tt.fragments, q.Get("code"), st.CodeVerifier, st.Nonce)
		})
	}
}

func TestOIDCDenyWithoutState(t *testing.T) {
	// Some providers leave state off an error answer; the person still
	// learns what happened. The provider's free-text description is not
	// echoed: anyone can craft such a link.
	o, _ := relyingParty(t, auth.OIDCConfig{})
	_, st := o.Begin()
	q := url.Values{"error": {"access_denied"}, "error_description": {"Call +1 555 0100 to unlock your account"}}
	_, err := o.Finish(context.Background(), st, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"access_denied"}, "555 0100")

	// With a state of another sign-in, the state is what is wrong.
	q.Set("state", "not-ours")
	_, err = o.Finish(context.Background(), st, q)
	wantRefusal(t, err, trellis.EUNAUTHORIZED, []string{"state does not match"})

	// An error code that is not a word is not echoed either.
	q = url.Values{"error": {"<script>alert(1)</script>"}}
	_, err = o.Finish(context.Background(), st, q)
	wantRefusal(t, err, trellis.EINTERNAL, []string{"(unknown)"}, "<script>")
}

func TestOIDCWrongClientSecret(t *testing.T) {
	p := oidctest.Start(t)
	o, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{
		Issuer: p.Issuer(), ClientID: p.ClientID(), ClientSecret: "not-the-secret", RedirectURL: callback,
	})
	if err != nil {
		t.Fatal(err)
	}
	authURL, st := o.Begin()
	_, err = o.Finish(context.Background(), st, authorize(t, authURL))
	wantRefusal(t, err, trellis.EINTERNAL, []string{"client credentials", "invalid_client"}, "not-the-secret")
}

func TestNewOIDCDiscoveryProblems(t *testing.T) {
	p := oidctest.Start(t)

	_, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: p.Issuer() + "/", ClientID: "x", RedirectURL: callback})
	wantRefusal(t, err, trellis.EINVALID, []string{"calls itself", p.Issuer()})

	p.Close()
	_, err = auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: p.Issuer(), ClientID: "x", RedirectURL: callback})
	wantRefusal(t, err, trellis.EUNAVAILABLE, []string{"could not be read", "/.well-known/openid-configuration"})
}

func TestOIDCConfigValidate(t *testing.T) {
	good := auth.OIDCConfig{Issuer: "https://login.example.com", ClientID: "trellis", RedirectURL: callback}
	if err := good.Validate(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, iss := range []string{"http://localhost:5556/dex", "http://127.0.0.1:8080", "http://[::1]:9000"} {
		c := good
		c.Issuer = iss
		if err := c.Validate(); err != nil {
			t.Errorf("issuer %s: %v", iss, err)
		}
	}
	tests := []struct {
		name   string
		edit   func(*auth.OIDCConfig)
		field  string
		phrase string
	}{
		{"no issuer", func(c *auth.OIDCConfig) { c.Issuer = "" }, "issuer", "issuer is required"},
		{"http issuer", func(c *auth.OIDCConfig) { c.Issuer = "http://login.example.com" }, "issuer", "must use https"},
		{"relative issuer", func(c *auth.OIDCConfig) { c.Issuer = "login.example.com" }, "issuer", "not an absolute URL"},
		{"issuer with query", func(c *auth.OIDCConfig) { c.Issuer = "https://login.example.com?tenant=1" }, "issuer", "query"},
		{"no client", func(c *auth.OIDCConfig) { c.ClientID = " " }, "client_id", "client ID is required"},
		{"no redirect", func(c *auth.OIDCConfig) { c.RedirectURL = "" }, "redirect_url", "redirect URL is required"},
		{"relative redirect", func(c *auth.OIDCConfig) { c.RedirectURL = "/auth/oidc/callback" }, "redirect_url", "not an absolute"},
		{"bad scope", func(c *auth.OIDCConfig) { c.Scopes = []string{"openid email"} }, "scopes", "one word"},
		{"bad domain", func(c *auth.OIDCConfig) { c.AllowedDomains = []string{"ada@example.com"} }, "allowed_domains", "not a domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			err := c.Validate()
			if trellis.ErrorCode(err) != trellis.EINVALID {
				t.Fatalf("Validate = %v, want EINVALID", err)
			}
			d := trellis.ErrorDetails(err)
			if len(d) != 1 || d[0].Field != tt.field || !strings.Contains(d[0].Message, tt.phrase) {
				t.Errorf("details = %+v, want one on %s saying %q", d, tt.field, tt.phrase)
			}
		})
	}
	// Every problem at once.
	err := auth.OIDCConfig{}.Validate()
	if n := len(trellis.ErrorDetails(err)); n != 3 {
		t.Errorf("empty config: %d problems, want 3 (%v)", n, trellis.ErrorDetails(err))
	}
}

func TestOIDCConfigNormalised(t *testing.T) {
	o, _ := relyingParty(t, auth.OIDCConfig{Scopes: []string{"email"}, AllowedDomains: []string{" @Example.COM "}, AutoProvision: true})
	c := o.Config()
	if len(c.Scopes) != 2 || c.Scopes[0] != "openid" || c.Scopes[1] != "email" {
		t.Errorf("scopes = %v, want [openid email]", c.Scopes)
	}
	if len(c.AllowedDomains) != 1 || c.AllowedDomains[0] != "example.com" {
		t.Errorf("domains = %v, want [example.com]", c.AllowedDomains)
	}
	if !c.AutoProvision {
		t.Error("AutoProvision lost")
	}
}

func TestOIDCClientSecretPost(t *testing.T) {
	// A provider that takes the client secret only in the form body: the
	// relying party picks that from discovery, without a refused first try
	// that would spend the code.
	o, _ := relyingParty(t, auth.OIDCConfig{}, oidctest.WithTokenAuthMethods("client_secret_post"))
	authURL, st := o.Begin()
	if _, err := o.Finish(context.Background(), st, authorize(t, authURL)); err != nil {
		t.Fatalf("Finish: %v", err)
	}
}
