package suggest_test

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"trellis"
	"trellis/defaults"
	"trellis/suggest"
)

var (
	once sync.Once
	ix   *suggest.Index
	fw   *trellis.Framework
)

func index(t testing.TB) *suggest.Index {
	t.Helper()
	once.Do(func() {
		var err error
		if fw, err = defaults.Support(); err != nil {
			panic(err)
		}
		ix = suggest.New(fw)
	})
	return ix
}

func comps(ss []suggest.Suggestion) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Competency
	}
	return out
}

func find(ss []suggest.Suggestion, comp string) (suggest.Suggestion, bool) {
	for _, s := range ss {
		if s.Competency == comp {
			return s, true
		}
	}
	return suggest.Suggestion{}, false
}

const pairing = "Paired with two juniors on a tricky escalation, walked them through logs"

func TestSuggestText(t *testing.T) {
	ix := index(t)
	tests := []struct {
		name     string
		text     string
		activity string
		top      []string            // must all be within the first len(top)+1
		reasons  map[string][]string // competency -> reasons it must give
		absent   []string            // reasons that must not appear anywhere
	}{
		{
			name: "pairing on an escalation", text: pairing,
			top: []string{"troubleshooting", "growing-others"},
			reasons: map[string][]string{
				"troubleshooting": {"escalation", "logs"},
				"growing-others":  {"Paired"},
			},
			absent: []string{"with", "two", "them", "through", "activity: Pairing session"},
		},
		{
			name: "pairing activity adds its hints", text: pairing, activity: "pairing-session",
			top: []string{"growing-others", "troubleshooting"},
			reasons: map[string][]string{
				"troubleshooting": {"activity: Pairing session", "escalation", "logs"},
				"growing-others":  {"activity: Pairing session", "Paired"},
				"collaboration":   {"activity: Pairing session"},
			},
		},
		{
			name: "pairing sessions echo a marker", text: "Held five pairing sessions this week with new colleagues",
			top: []string{"growing-others"},
			reasons: map[string][]string{
				"growing-others": {"Held five pairing sessions", "marker: Joined or started pairing sessions every week"},
			},
		},
		{
			name: "documentation", text: "Wrote a troubleshooting page for the docs; repeat tickets on the topic fell from 40 to 12 a month",
			activity: "documentation-contribution",
			top:      []string{"documentation"},
			reasons:  map[string][]string{"documentation": {"activity: Documentation contribution"}},
		},
		{
			name: "incident", text: "Led the response to a production outage as incident commander, posted status updates every 30 minutes",
			top:     []string{"incident-handling"},
			reasons: map[string][]string{"incident-handling": {"outage"}},
		},
		{
			name: "hiring", text: "Interviewed three candidates and wrote hiring scorecards",
			top: []string{"growing-others"},
		},
		{
			name: "activity by name", text: "", activity: "Pairing Session",
			top: []string{"growing-others"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Suggest(tt.text, tt.activity, 5)
			order := comps(got)
			for _, c := range tt.top {
				i := slices.Index(order, c)
				if i < 0 || i > len(tt.top) {
					t.Errorf("%s at %d in %v, want among the first %d", c, i, order, len(tt.top)+1)
				}
			}
			for c, want := range tt.reasons {
				s, ok := find(got, c)
				if !ok {
					t.Errorf("%s not suggested: %v", c, order)
					continue
				}
				for _, r := range want {
					if !slices.Contains(s.Reasons, r) {
						t.Errorf("%s reasons %q lack %q", c, s.Reasons, r)
					}
				}
			}
			for _, s := range got {
				for _, r := range tt.absent {
					if slices.Contains(s.Reasons, r) {
						t.Errorf("%s gives reason %q", s.Competency, r)
					}
				}
				if s.Score <= 0 || len(s.Reasons) == 0 {
					t.Errorf("%s: score %v, reasons %q; every suggestion has a positive score and a reason", s.Competency, s.Score, s.Reasons)
				}
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score {
					t.Errorf("not best first: %v", got)
				}
			}
		})
	}
}

func TestSuggestActivityOnly(t *testing.T) {
	ix := index(t)
	for _, text := range []string{"", "   ", "the and of with it"} {
		got := ix.Suggest(text, "critical-escalation", 10)
		want := []string{"incident-handling", "troubleshooting", "communication", "customer-advocacy"}
		if !slices.Equal(comps(got), want) {
			t.Errorf("text %q: %v, want the activity's hints in the framework's order %v", text, comps(got), want)
		}
		for _, s := range got {
			if !slices.Equal(s.Reasons, []string{"activity: Critical escalation"}) {
				t.Errorf("%s reasons = %q", s.Competency, s.Reasons)
			}
		}
	}
	if got := ix.Suggest("", "", 5); len(got) != 0 {
		t.Errorf("nothing to go on, got %v", got)
	}
	if got := ix.Suggest("", "no-such-activity", 5); len(got) != 0 {
		t.Errorf("unknown activity: %v", got)
	}
}

func TestSuggestLimitAndDeterminism(t *testing.T) {
	ix := index(t)
	text := pairing + ". Also wrote a docs page and fixed a bug in the importer; customers were happy."
	all := ix.Suggest(text, "bug-fix", 0)
	if len(all) < 6 {
		t.Fatalf("n <= 0 gives all matches, got %d", len(all))
	}
	for n := 1; n <= len(all)+2; n++ {
		got := ix.Suggest(text, "bug-fix", n)
		if len(got) != min(n, len(all)) || !reflect.DeepEqual(got, all[:len(got)]) {
			t.Fatalf("n=%d: %v, want the first %d of %v", n, comps(got), n, comps(all))
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if got := ix.Suggest(text, "bug-fix", 0); !reflect.DeepEqual(got, all) {
					t.Error("answers differ between calls")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestSuggestEmptyFramework(t *testing.T) {
	for _, f := range []*trellis.Framework{nil, {}} {
		if got := suggest.New(f).Suggest(pairing, "pairing-session", 3); got == nil || len(got) != 0 {
			t.Errorf("empty framework: %v", got)
		}
	}
}

func TestSuggestReasonsAsWritten(t *testing.T) {
	ix := index(t)
	got := ix.Suggest("DEBUGGED the customer's LOGS, then Debugged again", "", 3)
	s, ok := find(got, "troubleshooting")
	if !ok {
		t.Fatalf("troubleshooting not suggested: %v", comps(got))
	}
	joined := strings.Join(s.Reasons, "|")
	if !strings.Contains(joined, "LOGS") || strings.Count(strings.ToLower(joined), "debugged") != 1 {
		t.Errorf("reasons %q: want the words as written, each phrase once", s.Reasons)
	}
}

const entry = `Customer upgrade to 17.2 failed with a migration error on a large instance.
Paired with two juniors on the escalation, walked them through the logs and the migration code,
found the root cause in a background job and wrote a workaround for the customer. Opened a bug
with engineering, reviewed the fix, and wrote a troubleshooting page for the docs.
Directly responsible for the investigation. Customer back online in 6 hours instead of 2 days;
three similar tickets closed with the docs page the following week.`

func BenchmarkSuggest(b *testing.B) {
	ix := index(b)
	b.ReportAllocs()
	for b.Loop() {
		if len(ix.Suggest(entry, "critical-escalation", 5)) != 5 {
			b.Fatal("want five suggestions")
		}
	}
}

func BenchmarkNew(b *testing.B) {
	index(b)
	b.ReportAllocs()
	for b.Loop() {
		suggest.New(fw)
	}
}
