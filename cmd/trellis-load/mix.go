package main

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"trellis/web"
)

// Kind is a class of request in the mix.
type Kind string

const (
	KindAPIRead Kind = "api-read" // person, journal page, readiness
	KindSearch  Kind = "search"   // journal search through the API
	KindPage    Kind = "page"     // journal, readiness and matrix pages
	KindWrite   Kind = "write"    // a new journal entry through the API
)

// Kinds in report order.
var Kinds = []Kind{KindAPIRead, KindSearch, KindPage, KindWrite}

// Weights are percentages of the mix.
type Weights map[Kind]int

// DefaultMix is what people do most: read through the API (integrations,
// dashboards), search their journal, open pages, and now and then write.
var DefaultMix = Weights{KindAPIRead: 50, KindSearch: 20, KindPage: 20, KindWrite: 10}

// APIReadsOnly is the mix of the API read phase.
var APIReadsOnly = Weights{KindAPIRead: 100}

// searchQueries are typed into journals: words, a phrase, OR, an exclusion.
var searchQueries = []string{
	"kubernetes runners", "customer escalation", "documentation", "certificate outage", "pairing",
	"Acme", `"office hours"`, "backup OR restore", "migration -database", "LDAP sign-in problem",
	"mentored associate six weeks", "webhooks", "deep dive", "tickets dropped", "emergency weekend",
}

// Mix hands out targets: request i is of the kind that slot i%100 of a
// shuffled schedule names, for user i*7%len(users) (so consecutive requests
// come from different people). It is safe for concurrent use.
type Mix struct {
	base     string
	users    []User
	schedule []Kind
	n        atomic.Uint64
	today    string
}

// NewMix builds the schedule of w: each kind spread evenly through it
// (smooth weighted round robin), so that even a short run sends every kind
// in its share; seed rotates where the schedule starts.
func NewMix(base string, users []User, w Weights, seed uint64) *Mix {
	m := &Mix{base: strings.TrimRight(base, "/"), users: users, today: time.Now().UTC().Format(time.DateOnly)}
	total := 0
	for _, k := range Kinds {
		total += w[k]
	}
	current := map[Kind]int{}
	for range total {
		var best Kind
		for _, k := range Kinds {
			if w[k] == 0 {
				continue
			}
			current[k] += w[k]
			if best == "" || current[k] > current[best] {
				best = k
			}
		}
		current[best] -= total
		m.schedule = append(m.schedule, best)
	}
	if n := len(m.schedule); n > 0 {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		start := r.IntN(n)
		m.schedule = append(m.schedule[start:], m.schedule[:start]...)
	}
	return m
}

// Targeter returns the vegeta targeter of the mix.
func (m *Mix) Targeter() vegeta.Targeter {
	return func(t *vegeta.Target) error {
		i := m.n.Add(1) - 1
		m.fill(t, i)
		return nil
	}
}

func (m *Mix) fill(t *vegeta.Target, i uint64) {
	u := &m.users[int((i*7)%uint64(len(m.users)))]
	pid := strconv.FormatInt(u.ID, 10)
	sub := i / uint64(len(m.schedule)) // varies the route within a kind
	*t = vegeta.Target{Method: http.MethodGet, Header: http.Header{}}
	bearer := func() { t.Header.Set("Authorization", "Bearer "+u.Token) }
	switch m.schedule[i%uint64(len(m.schedule))] {
	case KindAPIRead:
		bearer()
		switch sub % 3 {
		case 0:
			t.URL = m.base + "/api/v1/people/" + pid
		case 1:
			t.URL = m.base + "/api/v1/people/" + pid + "/evidence?limit=20"
		default:
			t.URL = m.base + "/api/v1/people/" + pid + "/readiness"
		}
	case KindSearch:
		bearer()
		q := searchQueries[int(i%uint64(len(searchQueries)))]
		t.URL = m.base + "/api/v1/people/" + pid + "/evidence?limit=20&q=" + url.QueryEscape(q)
	case KindPage:
		t.Header.Set("Cookie", web.SessionCookie+"="+u.Cookie)
		switch sub % 3 {
		case 0:
			t.URL = m.base + "/people/" + pid + "/evidence"
		case 1:
			t.URL = m.base + "/people/" + pid + "/readiness"
		default:
			t.URL = m.base + "/frameworks/support/matrix"
		}
	case KindWrite:
		bearer()
		t.Method = http.MethodPost
		t.URL = m.base + "/api/v1/people/" + pid + "/evidence"
		t.Header.Set("Content-Type", "application/json")
		t.Body, _ = json.Marshal(map[string]any{
			"title":        "Load run: answered a customer escalation " + strconv.FormatUint(i, 10),
			"date":         m.today,
			"what":         "Walked the customer through the **backup** and restore steps, then wrote them up.",
			"part":         "directly responsible",
			"result":       "Ticket closed the same day.",
			"competencies": u.Competencies,
		})
	}
}

// Classify tells the kind of a request from its method and URL, as the
// results carry no more.
func Classify(method, rawURL string) Kind {
	switch {
	case method == http.MethodPost:
		return KindWrite
	case strings.Contains(rawURL, "/api/") && strings.Contains(rawURL, "q="):
		return KindSearch
	case strings.Contains(rawURL, "/api/"):
		return KindAPIRead
	default:
		return KindPage
	}
}
