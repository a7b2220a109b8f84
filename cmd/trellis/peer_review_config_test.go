package main

import (
	"context"
	"strings"
	"testing"

	trellis "trellis"
	"trellis/sqlstore/storetest"
)

// The working days peer managers have by default come from the
// configuration (TRELLIS_PEER_REVIEW_DAYS or --peer-review-days), are
// checked, and reach the store the server runs on.
func TestPeerReviewDaysSetting(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "TRELLIS_PEER_REVIEW_DAYS" {
				return v
			}
			return ""
		}
	}
	if c := configFromEnv(env("")); c.PeerReviewDays != trellis.DefaultPeerReviewDays || c.Validate() != nil {
		t.Errorf("default: %d", c.PeerReviewDays)
	}
	if c := configFromEnv(env("8")); c.PeerReviewDays != 8 || c.Validate() != nil {
		t.Errorf("eight: %d", c.PeerReviewDays)
	}
	for _, v := range []string{"five", "-2", "31"} {
		err := configFromEnv(env(v)).Validate()
		if d := trellis.ErrorDetails(err); len(d) != 1 || d[0].Field != "--peer-review-days" || !strings.Contains(d[0].Message, "from 1 to 30") {
			t.Errorf("%q: %v", v, err)
		}
	}

	m := &Main{Config: DefaultConfig()}
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DB = storetest.DSN(t)
	m.Config.PeerReviewDays = 3
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.DB.PeerReviewDays != 3 {
		t.Errorf("the store has %d working days", m.DB.PeerReviewDays)
	}
}
