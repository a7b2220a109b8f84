package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	trellis "trellis"
	"trellis/auth"
)

// Config is the one configuration of the trellis binary. Each field can be set
// by a TRELLIS_* environment variable and overridden by a flag.
type Config struct {
	Addr      string // listen address, host:port
	DB        string // SQLite path, sqlite:PATH, or postgres:// URL
	LogFormat string // text or json
	LogLevel  string // debug, info, warn or error
	// BaseURL is the address people open Trellis at, for links made outside
	// a request (reset links, single sign-on redirects); empty means
	// http://localhost with the listen port. An https address also marks
	// session cookies Secure.
	BaseURL string
	// OIDC single sign-on; off when Issuer is empty.
	OIDCIssuer        string
	OIDCClientID      string
	OIDCClientSecret  string
	OIDCAutoProvision bool
	OIDCDomains       string // allowed email domains, comma-separated; empty allows any
	// TrustProxy takes the client address from X-Forwarded-For, for servers
	// behind a reverse proxy.
	TrustProxy bool
	// MetricsToken lets Prometheus scrape /metrics from another machine as a
	// Bearer token; without it /metrics answers loopback only.
	MetricsToken string
	// PeerReviewDays is how many working days peer managers have to comment
	// on a promotion document when its manager opens peer-manager review
	// without choosing the day (the nomination deadline of the document's
	// cycle still bounds it); 0 means trellis.DefaultPeerReviewDays.
	PeerReviewDays int
}

// DefaultConfig returns the built-in defaults.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DB: "trellis.db", LogFormat: "text", LogLevel: "info", PeerReviewDays: trellis.DefaultPeerReviewDays}
}

// configFromEnv applies TRELLIS_* variables over the defaults.
func configFromEnv(getenv func(string) string) Config {
	c := DefaultConfig()
	for name, field := range map[string]*string{
		"TRELLIS_ADDR":               &c.Addr,
		"TRELLIS_DB":                 &c.DB,
		"TRELLIS_LOG_FORMAT":         &c.LogFormat,
		"TRELLIS_LOG_LEVEL":          &c.LogLevel,
		"TRELLIS_BASE_URL":           &c.BaseURL,
		"TRELLIS_OIDC_ISSUER":        &c.OIDCIssuer,
		"TRELLIS_OIDC_CLIENT_ID":     &c.OIDCClientID,
		"TRELLIS_OIDC_CLIENT_SECRET": &c.OIDCClientSecret,
		"TRELLIS_OIDC_DOMAINS":       &c.OIDCDomains,
		"TRELLIS_METRICS_TOKEN":      &c.MetricsToken,
	} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*field = v
		}
	}
	if v := strings.TrimSpace(getenv("TRELLIS_PEER_REVIEW_DAYS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // Validate says what is wrong
		}
		c.PeerReviewDays = n
	}
	c.OIDCAutoProvision = truthy(getenv("TRELLIS_OIDC_AUTO_PROVISION"))
	c.TrustProxy = truthy(getenv("TRELLIS_TRUST_PROXY"))
	return c
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// baseURL is BaseURL, or http://localhost with the listen port.
func (c Config) baseURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" || port == "0" {
		port = "8080"
	}
	return "http://localhost:" + port
}

// bindDB registers --db on a verb's flag set.
func (c *Config) bindDB(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", c.DB, "database: SQLite path, sqlite:PATH or postgres:// URL (env TRELLIS_DB)")
}

// bindServer registers the flags of verbs that serve HTTP.
func (c *Config) bindServer(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address host:port (env TRELLIS_ADDR)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json (env TRELLIS_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error (env TRELLIS_LOG_LEVEL)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "the address people open Trellis at, e.g. https://trellis.example.com (env TRELLIS_BASE_URL)")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", c.OIDCIssuer, "single sign-on: the OpenID provider's issuer URL (env TRELLIS_OIDC_ISSUER)")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", c.OIDCClientID, "single sign-on: client id (env TRELLIS_OIDC_CLIENT_ID)")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", c.OIDCClientSecret, "single sign-on: client secret (env TRELLIS_OIDC_CLIENT_SECRET)")
	fs.BoolVar(&c.OIDCAutoProvision, "oidc-auto-provision", c.OIDCAutoProvision, "single sign-on: add unknown people on first sign-in (env TRELLIS_OIDC_AUTO_PROVISION)")
	fs.StringVar(&c.OIDCDomains, "oidc-domains", c.OIDCDomains, "single sign-on: allowed email domains, comma-separated (env TRELLIS_OIDC_DOMAINS)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "take the client address from X-Forwarded-For (env TRELLIS_TRUST_PROXY)")
	fs.IntVar(&c.PeerReviewDays, "peer-review-days", c.PeerReviewDays, "working days peer managers have to comment on a promotion document by default (env TRELLIS_PEER_REVIEW_DAYS)")
	fs.StringVar(&c.MetricsToken, "metrics-token", c.MetricsToken, "Bearer token for scraping /metrics from other machines; prefer the env TRELLIS_METRICS_TOKEN, as flags show in ps")
}

// Validate reports every wrong setting at once.
func (c Config) Validate() error {
	var details []trellis.FieldError
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		details = append(details, trellis.FieldError{Field: "addr", Message: fmt.Sprintf("%q is not a listen address; use host:port such as :8080 or 127.0.0.1:8080", c.Addr)})
	}
	if strings.TrimSpace(c.DB) == "" {
		details = append(details, trellis.FieldError{Field: "db", Message: "the database is empty; give a SQLite path such as trellis.db or a postgres:// URL"})
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			details = append(details, trellis.FieldError{Field: "base-url", Message: fmt.Sprintf("%q is not a web address; use e.g. https://trellis.example.com", c.BaseURL)})
		}
	}
	if c.OIDCIssuer != "" && c.OIDCClientID == "" {
		details = append(details, trellis.FieldError{Field: "oidc-client-id", Message: "single sign-on needs the client id the provider gave Trellis"})
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		details = append(details, trellis.FieldError{Field: "log-format", Message: fmt.Sprintf("%q is not a log format; use text or json", c.LogFormat)})
	}
	if c.PeerReviewDays < 0 || c.PeerReviewDays > trellis.MaxPeerReviewDays {
		details = append(details, trellis.FieldError{Field: "peer-review-days", Message: fmt.Sprintf("give a whole number of working days from 1 to %d (default %d)",
			trellis.MaxPeerReviewDays, trellis.DefaultPeerReviewDays)})
	}
	if _, ok := logLevels[c.LogLevel]; !ok {
		details = append(details, trellis.FieldError{Field: "log-level", Message: fmt.Sprintf("%q is not a log level; use debug, info, warn or error", c.LogLevel)})
	}
	if len(details) == 0 {
		return nil
	}
	for i := range details {
		details[i].Field = "--" + details[i].Field
	}
	return &trellis.Error{Code: trellis.EINVALID, Message: "the settings are not valid:", Details: details}
}

// oidc is the single sign-on configuration; the provider sends people back
// to /signin/sso/callback under the public address.
func (c Config) oidc() auth.OIDCConfig {
	var domains []string
	for _, d := range strings.Split(c.OIDCDomains, ",") {
		if d = strings.TrimSpace(d); d != "" {
			domains = append(domains, d)
		}
	}
	return auth.OIDCConfig{
		Issuer:         c.OIDCIssuer,
		ClientID:       c.OIDCClientID,
		ClientSecret:   c.OIDCClientSecret,
		RedirectURL:    c.baseURL() + "/signin/sso/callback",
		AllowedDomains: domains,
		AutoProvision:  c.OIDCAutoProvision,
	}
}
