package auth

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"trellis"
)

func ago(ds ...time.Duration) []time.Time {
	out := make([]time.Time, len(ds))
	for i, d := range ds {
		out[i] = now.Add(-d)
	}
	return out
}

func TestThrottleCheck(t *testing.T) {
	th := DefaultThrottle
	s := time.Second
	m := time.Minute
	for _, tc := range []struct {
		name    string
		account []time.Time
		address []time.Time
		allowed bool
		retry   time.Time
		by      string
	}{
		{"no history", nil, nil, true, time.Time{}, ""},
		{"four failures", ago(4*s, 3*s, 2*s, 1*s), nil, true, time.Time{}, ""},
		{"fifth failure locks for a minute", ago(5*s, 4*s, 3*s, 2*s, 1*s), nil, false, now.Add(-s + m), "account"},
		{"lock over after the minute", ago(65*s, 64*s, 63*s, 62*s, 61*s), nil, true, time.Time{}, ""},
		{"sixth doubles", ago(5*s, 4*s, 3*s, 2*s, 1*s, 0), nil, false, now.Add(2 * m), "account"},
		{"eighth: eight minutes", ago(7*s, 6*s, 5*s, 4*s, 3*s, 2*s, 1*s, 0), nil, false, now.Add(8 * m), "account"},
		// Nine failures ask for 15 minutes after the last; but once the oldest
		// leaves the window, eight remain, asking only 8 minutes: so the lock
		// ends when the oldest leaves.
		{"ninth: until the oldest leaves the window", ago(9*s, 8*s, 7*s, 6*s, 5*s, 4*s, 3*s, 2*s, 0), nil, false, now.Add(-9*s + 15*m), "account"},
		{"old failures leaving the window end the lock", ago(14*m, 14*m, 14*m, 14*m, 14*m, 2*s, 1*s), nil, false, now.Add(m), "account"},
		{"old failures forgotten", ago(20*m, 19*m, 18*m, 17*m, 16*m, 1*s), nil, true, time.Time{}, ""},
		{"exactly window old is out", ago(15*m, 4*s, 3*s, 2*s, 1*s), nil, true, time.Time{}, ""},
		{"order does not matter", ago(1*s, 5*s, 3*s, 2*s, 4*s), nil, false, now.Add(-s + m), "account"},
		{"future failures count as now", []time.Time{now.Add(m), now, now, now, now}, nil, false, now.Add(m), "account"},
		{"address: nineteen", nil, ago(19*s, 18*s, 17*s, 16*s, 15*s, 14*s, 13*s, 12*s, 11*s, 10*s, 9*s, 8*s, 7*s, 6*s, 5*s, 4*s, 3*s, 2*s, 1*s), true, time.Time{}, ""},
		{"address: twentieth locks", nil, ago(20*s, 19*s, 18*s, 17*s, 16*s, 15*s, 14*s, 13*s, 12*s, 11*s, 10*s, 9*s, 8*s, 7*s, 6*s, 5*s, 4*s, 3*s, 2*s, 1*s), false, now.Add(-s + m), "address"},
		{"both: the later wins", ago(5*s, 4*s, 3*s, 2*s, 0), ago(20*s, 19*s, 18*s, 17*s, 16*s, 15*s, 14*s, 13*s, 12*s, 11*s, 10*s, 9*s, 8*s, 7*s, 6*s, 5*s, 4*s, 3*s, 2*s, 1*s), false, now.Add(m), "account,address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := th.Check(now, tc.account, tc.address)
			if d.Allowed != tc.allowed || !d.RetryAt.Equal(tc.retry) || d.By != tc.by {
				t.Errorf("got %v (%+v), want allowed=%v retry=%v by=%q", d, d, tc.allowed, tc.retry, tc.by)
			}
		})
	}
}

// Walk an attacker who retries the moment the lock ends: the decision must
// be consistent (refused before RetryAt, allowed at it) and the attacker gets
// few guesses an hour.
func TestThrottleSimulation(t *testing.T) {
	th := DefaultThrottle
	clock := now
	var failures []time.Time
	guesses := 0
	for clock.Before(now.Add(time.Hour)) {
		d := th.Check(clock, failures, failures)
		if !d.Allowed {
			if !d.RetryAt.After(clock) {
				t.Fatalf("refused at %v with RetryAt %v", clock, d.RetryAt)
			}
			if th.Check(d.RetryAt.Add(-time.Nanosecond), failures, failures).Allowed {
				t.Fatalf("allowed just before RetryAt %v", d.RetryAt)
			}
			clock = d.RetryAt
			continue
		}
		guesses++
		failures = append(failures, clock)
		clock = clock.Add(time.Second)
	}
	if guesses > 45 {
		t.Errorf("%d guesses in an hour; the throttle is too lax", guesses)
	}
	t.Logf("an attacker retrying at every opportunity gets %d guesses per account per hour", guesses)
}

func TestThrottleDecisionErr(t *testing.T) {
	if (ThrottleDecision{Allowed: true}).Err(nil) != nil {
		t.Error("allowed has an error")
	}
	d := ThrottleDecision{RetryAt: time.Date(2026, 3, 2, 9, 31, 1, 0, time.UTC), By: "account"}
	err := d.Err(nil)
	if trellis.ErrorCode(err) != trellis.EUNAUTHORIZED || !strings.Contains(trellis.ErrorMessage(err), "after 09:32 UTC") {
		t.Errorf("%v", err)
	}
	if strings.Contains(trellis.ErrorMessage(err), "account") {
		t.Error("the message says which history refused")
	}
}

func TestThrottleZeroLimitsDisable(t *testing.T) {
	th := Throttle{Window: time.Minute}
	if !th.Check(now, ago(0, 0, 0, 0, 0, 0), ago(0, 0, 0)).Allowed {
		t.Error("zero limits refused")
	}
}

// For random histories, the announced RetryAt is exact: refused a moment
// before it, allowed at it, and allowed ever after (with no new failures).
func TestThrottleRetryAtIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	th := DefaultThrottle
	for range 2000 {
		var acc, addr []time.Time
		for range r.IntN(12) {
			acc = append(acc, now.Add(-time.Duration(r.Int64N(int64(20*time.Minute)))))
		}
		for range r.IntN(30) {
			addr = append(addr, now.Add(-time.Duration(r.Int64N(int64(20*time.Minute)))))
		}
		d := th.Check(now, acc, addr)
		if d.Allowed {
			continue
		}
		if th.Check(d.RetryAt.Add(-time.Nanosecond), acc, addr).Allowed {
			t.Fatalf("allowed before RetryAt %v: %v %v", d.RetryAt, acc, addr)
		}
		for _, later := range []time.Duration{0, time.Second, time.Minute, time.Hour} {
			if !th.Check(d.RetryAt.Add(later), acc, addr).Allowed {
				t.Fatalf("refused %v after RetryAt %v: %v %v", later, d.RetryAt, acc, addr)
			}
		}
	}
}
