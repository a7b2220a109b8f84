package suggest

import (
	"strings"
	"testing"
)

func TestStem(t *testing.T) {
	for _, group := range [][]string{
		{"pair", "pairs", "paired", "pairing"},
		{"log", "logs", "logged", "logging"},
		{"debug", "debugs", "debugged", "debugging"},
		{"share", "shares", "shared", "sharing"},
		{"hire", "hires", "hired", "hiring"},
		{"fix", "fixes", "fixed", "fixing"},
		{"query", "queries", "queried"},
		{"process", "processes"},
		{"mentor", "mentors", "mentored", "mentoring"},
		{"escalation", "escalations"},
		{"dive", "dives", "diving"},
	} {
		want := stem(group[0])
		for _, w := range group[1:] {
			if got := stem(w); got != want {
				t.Errorf("stem(%q) = %q, want %q like stem(%q)", w, got, want, group[0])
			}
		}
	}
	for _, w := range []string{"status", "analysis", "class", "need", "bus", "ring"} {
		if got := stem(w); got != strings.TrimSuffix(w, "e") && got != w {
			t.Errorf("stem(%q) = %q, want it left alone", w, got)
		}
	}
}

func TestTokenize(t *testing.T) {
	toks := tokenize("Walked them through the customer's logs (again), e.g. in 17.2 — fine!")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.word+"/"+tk.stem)
	}
	want := "Walked/walk customer's/customer logs/log 17/17 fine/fin"
	if strings.Join(got, " ") != want {
		t.Errorf("tokens = %s\nwant     %s", strings.Join(got, " "), want)
	}
	if toks[0].pos != 0 || toks[1].pos != 4 {
		t.Errorf("positions count stop words: %+v", toks[:2])
	}
}
