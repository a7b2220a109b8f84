package forge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"trellis"
)

// Reasons a sync stops.
const (
	ReasonToken       = "token"       // the token was refused (401, or 403 for its scope)
	ReasonRateLimit   = "rate_limit"  // the forge asked us to wait
	ReasonTimeout     = "timeout"     // the forge did not answer in time
	ReasonUnavailable = "unavailable" // the forge could not be reached, or answered 5xx
	ReasonNotFound    = "not_found"   // the instance, user or path does not exist
	ReasonResponse    = "response"    // an answer we could not read
	ReasonConfig      = "config"      // no token to use, a token that does not open
)

// SyncError is why a sync stopped, in words for the person. What was stored
// before it stays, and the next sync resumes from there.
type SyncError struct {
	Reason  string
	Status  int // HTTP status, when the forge answered
	Message string
	// ResumeAt is when the forge allows requests again (rate limits).
	ResumeAt time.Time
}

func (e *SyncError) Error() string { return e.Message }

// AsSyncError returns the SyncError in err's chain, if any.
func AsSyncError(err error) (*SyncError, bool) {
	var se *SyncError
	ok := errors.As(err, &se)
	return se, ok
}

// DefaultTimeout bounds each request to a forge.
const DefaultTimeout = 20 * time.Second

// maxResponse caps a response body; a page of 100 items is far smaller.
const maxResponse = 16 << 20

// client reads one forge's REST API with one token, following its
// pagination and respecting its rate limit.
type client struct {
	http    *http.Client
	kind    Kind
	api     *url.URL // REST base
	token   string
	timeout time.Duration
	now     func() time.Time

	// The rate limit as the last answer stated it; remaining < 0 is
	// unknown.
	remaining int
	reset     time.Time
	requests  int
}

func newClient(hc *http.Client, k Kind, baseURL, token string, timeout time.Duration, now func() time.Time) (*client, error) {
	api, err := url.Parse(apiBase(k, baseURL))
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &client{http: hc, kind: k, api: api, token: token, timeout: timeout, now: now, remaining: -1}, nil
}

// endpoint returns the URL of an API path with a query.
func (c *client) endpoint(path string, q url.Values) string {
	u := *c.api
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	return u.String()
}

// sameOrigin reports whether next may be requested with the token: only
// URLs on the API's own scheme and host are followed.
func (c *client) sameOrigin(next string) bool {
	u, err := url.Parse(next)
	return err == nil && u.Scheme == c.api.Scheme && strings.EqualFold(u.Host, c.api.Host)
}

// get fetches one page into v and returns the URL of the next page, "" when
// it was the last.
func (c *client) get(ctx context.Context, rawURL string, v any) (string, error) {
	if c.remaining == 0 && c.now().Before(c.reset) {
		return "", c.rateLimited(0, c.reset)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", &SyncError{Reason: ReasonConfig, Message: fmt.Sprintf("The %s address %s is not usable: %v.", c.kind.Name(), c.api.Host, err)}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "Trellis")
	switch c.kind {
	case GitHub:
		req.Header.Set("Accept", "application/vnd.github+json")
		req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
	default:
		if c.token != "" {
			req.Header.Set("PRIVATE-TOKEN", c.token)
		}
	}
	c.requests++
	resp, err := c.http.Do(req)
	if err != nil {
		return "", c.transportError(ctx, err)
	}
	defer resp.Body.Close()
	c.noteRateLimit(resp.Header)
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return "", c.statusError(resp)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", c.transportError(ctx, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "", &SyncError{Reason: ReasonResponse, Status: resp.StatusCode,
			Message: fmt.Sprintf("%s answered %s with something that is not the JSON its API documents; the sync stopped. Check that %s is the address of a %s instance.",
				c.kind.Name(), req.URL.Path, c.api.Scheme+"://"+c.api.Host, c.kind.Name())}
	}
	next := nextLink(resp.Header.Get("Link"))
	if next == "" && c.kind == GitLab {
		if p := strings.TrimSpace(resp.Header.Get("X-Next-Page")); p != "" {
			u := *req.URL
			q := u.Query()
			q.Set("page", p)
			u.RawQuery = q.Encode()
			next = u.String()
		}
	}
	if next != "" && !c.sameOrigin(next) {
		return "", &SyncError{Reason: ReasonResponse, Message: fmt.Sprintf("%s pointed the next page at another host (%s); the sync stopped so that the token is not sent there.", c.kind.Name(), hostOf(next))}
	}
	return next, nil
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return "?"
}

// transportError words a request that got no answer.
func (c *client) transportError(ctx context.Context, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &SyncError{Reason: ReasonTimeout, Message: fmt.Sprintf("%s at %s did not answer within %s; the sync stopped, kept what it had and will resume from there next time.",
			c.kind.Name(), c.api.Host, c.timeout)}
	}
	if errors.Is(err, context.Canceled) {
		return &SyncError{Reason: ReasonTimeout, Message: fmt.Sprintf("The sync with %s was cancelled; it kept what it had and will resume from there next time.", c.kind.Name())}
	}
	return &SyncError{Reason: ReasonUnavailable, Message: fmt.Sprintf("%s at %s cannot be reached (%s); the sync stopped and will resume from there next time.",
		c.kind.Name(), c.api.Host, shortNetError(err))}
}

// shortNetError keeps the end of a transport error (the URL it carries
// has no secrets, but is long).
func shortNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// noteRateLimit records the rate limit headers of an answer: GitLab's
// RateLimit-Remaining/RateLimit-Reset, GitHub's X-RateLimit-*.
func (c *client) noteRateLimit(h http.Header) {
	rem := firstHeader(h, "X-RateLimit-Remaining", "RateLimit-Remaining")
	if rem == "" {
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(rem))
	if err != nil {
		return
	}
	c.remaining = n
	if t, ok := parseReset(firstHeader(h, "X-RateLimit-Reset", "RateLimit-Reset"), c.now()); ok {
		c.reset = t
	} else if t, err := http.ParseTime(h.Get("RateLimit-ResetTime")); err == nil {
		c.reset = t
	} else {
		c.reset = c.now().Add(time.Minute)
	}
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// parseReset reads a reset header: seconds since the epoch (both forges).
// Small numbers are taken as seconds from now, as some proxies send them.
func parseReset(v string, now time.Time) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, false
	}
	if n < 1_000_000_000 {
		return now.Add(time.Duration(n) * time.Second), true
	}
	return time.Unix(n, 0).UTC(), true
}

// retryAfter reads Retry-After: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return now.Add(time.Duration(n) * time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func (c *client) rateLimited(status int, resume time.Time) error {
	if resume.IsZero() || !resume.After(c.now()) {
		resume = c.now().Add(time.Minute)
	}
	return &SyncError{Reason: ReasonRateLimit, Status: status, ResumeAt: resume.UTC(),
		Message: fmt.Sprintf("%s's rate limit is used up; the sync stopped, kept what it had and can resume after %s UTC.",
			c.kind.Name(), resume.UTC().Format("2006-01-02 15:04:05"))}
}

// statusError words an answer other than 200.
func (c *client) statusError(resp *http.Response) error {
	name, st := c.kind.Name(), resp.StatusCode
	now := c.now()
	if t, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok && (st == http.StatusTooManyRequests || st == http.StatusForbidden || st >= 500) {
		return c.rateLimited(st, t)
	}
	switch {
	case st == http.StatusTooManyRequests:
		return c.rateLimited(st, c.reset)
	case st == http.StatusForbidden && c.remaining == 0:
		// GitHub answers an exhausted primary limit with 403.
		return c.rateLimited(st, c.reset)
	case st == http.StatusUnauthorized:
		return &SyncError{Reason: ReasonToken, Status: st, Message: name + " said the token is not valid (401); " + c.tokenAdvice()}
	case st == http.StatusForbidden:
		return &SyncError{Reason: ReasonToken, Status: st, Message: name + " refused the request with this token (403): it lacks a permission; " + c.tokenAdvice()}
	case st == http.StatusNotFound:
		return &SyncError{Reason: ReasonNotFound, Status: st, Message: fmt.Sprintf("%s at %s answered 404 for %s: check the instance address and the username.", name, c.api.Host, resp.Request.URL.Path)}
	case st == http.StatusUnprocessableEntity:
		return &SyncError{Reason: ReasonNotFound, Status: st, Message: fmt.Sprintf("%s could not run the search (422); usually the username does not exist on %s. Check it on the connections page.", name, c.api.Host)}
	case st >= 500:
		return &SyncError{Reason: ReasonUnavailable, Status: st, Message: fmt.Sprintf("%s at %s answered %d, a fault on its side; the sync stopped, kept what it had and will resume from there next time.", name, c.api.Host, st)}
	}
	return &SyncError{Reason: ReasonResponse, Status: st, Message: fmt.Sprintf("%s at %s answered %d; the sync stopped.", name, c.api.Host, st)}
}

func (c *client) tokenAdvice() string {
	if c.kind == GitHub {
		return "create a new one (a fine-grained token with read access to the repositories and their pull requests and issues, or a classic token with the repo scope) and add the connection again."
	}
	return "create a new one with the read_api scope and add the connection again."
}

// nextLink returns the rel="next" target of a Link header (RFC 8288), as
// both forges send it.
func nextLink(h string) string {
	for _, part := range strings.Split(h, ",") {
		part = strings.TrimSpace(part)
		start, end := strings.IndexByte(part, '<'), strings.IndexByte(part, '>')
		if start != 0 || end < 0 {
			continue
		}
		target := part[1:end]
		for _, p := range strings.Split(part[end+1:], ";") {
			p = strings.TrimSpace(p)
			k, v, ok := strings.Cut(p, "=")
			if !ok || strings.TrimSpace(k) != "rel" {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				if rel == "next" {
					return target
				}
			}
		}
	}
	return ""
}

// internal wraps a fault of ours (a store error) so the run records a plain
// message.
func internal(err error) error {
	if trellis.ErrorCode(err) != trellis.EINTERNAL {
		return err
	}
	return fmt.Errorf("forge: %w", err)
}
