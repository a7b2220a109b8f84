package auth

import (
	"fmt"
	"slices"
	"time"

	"trellis"
)

// Throttle is the rule that slows down password guessing. It is a pure
// function of the recent failures and the time: the failures live in the
// database, so every node of a cluster applies the same rule to the same
// history, and a restart forgets nothing.
//
// Two histories are consulted. Per account (the normalised email tried,
// whether or not such a person exists, so a lock says nothing about which
// accounts are real): failures since the account's last successful
// sign-in. Per client address: all failures, across accounts, which catches
// one machine trying many accounts.
//
// Each history allows Limit failures within Window. From then on every
// further attempt waits after the latest failure: BaseDelay, doubling with
// each failure beyond the limit, capped at MaxDelay. Failures older than
// Window no longer count, so as they age out the wait shrinks with the
// count, and under the limit it is gone.
type Throttle struct {
	Window       time.Duration
	AccountLimit int
	AddressLimit int
	BaseDelay    time.Duration
	MaxDelay     time.Duration
}

// DefaultThrottle: 5 failures per account or 20 per address in 15 minutes,
// then 1, 2, 4, 8 minutes, capped at 15.
var DefaultThrottle = Throttle{
	Window:       15 * time.Minute,
	AccountLimit: 5,
	AddressLimit: 20,
	BaseDelay:    time.Minute,
	MaxDelay:     15 * time.Minute,
}

// ThrottleDecision is the outcome for one attempt.
type ThrottleDecision struct {
	Allowed bool
	// RetryAt is when an attempt will be allowed again (zero when allowed).
	RetryAt time.Time
	// By names the history that refused: "account", "address" or both
	// ("account,address"). For the audit log, not for the person.
	By string
}

// Check decides whether a sign-in attempt at now may go ahead. Failures may
// come in any order and may include ones older than the window (they are
// ignored) or in the future (clock skew between nodes: counted as now).
func (t Throttle) Check(now time.Time, accountFailures, addressFailures []time.Time) ThrottleDecision {
	acc := t.retryAt(now, accountFailures, t.AccountLimit)
	addr := t.retryAt(now, addressFailures, t.AddressLimit)
	d := ThrottleDecision{Allowed: true}
	for _, c := range []struct {
		at   time.Time
		name string
	}{{acc, "account"}, {addr, "address"}} {
		if c.at.After(now) {
			d.Allowed = false
			if c.at.After(d.RetryAt) {
				d.RetryAt = c.at
			}
			if d.By != "" {
				d.By += ","
			}
			d.By += c.name
		}
	}
	return d
}

// retryAt returns the earliest time at or after now when the history allows
// an attempt (no new failures assumed). As time passes, old failures leave
// the window, which lowers both the count and the delay; so the answer is
// found by walking those moments in order rather than by one formula, and
// the time announced to the person is exactly when the refusal ends.
func (t Throttle) retryAt(now time.Time, failures []time.Time, limit int) time.Time {
	if limit <= 0 {
		return now
	}
	recent := make([]time.Time, 0, len(failures))
	for _, f := range failures {
		if f.After(now) {
			f = now // clock skew between nodes: a failure "from the future" happened now
		}
		if f.Add(t.Window).After(now) { // a failure counts until f+Window
			recent = append(recent, f)
		}
	}
	slices.SortFunc(recent, func(a, b time.Time) int { return a.Compare(b) })
	start := now // the start of the stretch of time with n failures in the window
	for i := range recent {
		n := len(recent) - i
		if n < limit {
			return start
		}
		at := start
		if wait := recent[len(recent)-1].Add(t.delay(n - limit)); wait.After(at) {
			at = wait
		}
		leaves := recent[i].Add(t.Window) // from then on, one failure fewer counts
		if at.Before(leaves) {
			return at
		}
		if leaves.After(start) {
			start = leaves
		}
	}
	return start
}

// delay is the wait after the latest failure once the limit is exceeded by
// extra failures: BaseDelay doubled extra times, capped at MaxDelay.
func (t Throttle) delay(extra int) time.Duration {
	d := t.BaseDelay
	for range extra {
		if d >= t.MaxDelay {
			break
		}
		d *= 2
	}
	return min(d, t.MaxDelay)
}

// Err is the error shown to the person refused: the same words whichever
// history refused and whether or not the account exists.
func (d ThrottleDecision) Err(loc *time.Location) error {
	if d.Allowed {
		return nil
	}
	if loc == nil {
		loc = time.UTC
	}
	return trellis.Errorf(trellis.EUNAUTHORIZED,
		"Too many failed sign-in attempts. Try again after %s.", ceilMinute(d.RetryAt).In(loc).Format("15:04 MST"))
}

// ceilMinute rounds up to the next whole minute, so that "after 14:05" is
// never a few seconds too early.
func ceilMinute(t time.Time) time.Time {
	if r := t.Truncate(time.Minute); !r.Equal(t) {
		return r.Add(time.Minute)
	}
	return t
}

// String renders the decision for logs.
func (d ThrottleDecision) String() string {
	if d.Allowed {
		return "allowed"
	}
	return fmt.Sprintf("refused by %s until %s", d.By, d.RetryAt.Format(time.RFC3339))
}
