package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// xssPayloads reads the corpus of known cross-site-scripting payloads.
func xssPayloads(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("testdata/xss.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// apiPost sends JSON to the API with a Bearer token and returns the status.
func apiPost(t *testing.T, url, token string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// assertNoScriptRan checks the page in the tab: no payload set the flag and
// no active markup from user text reached the DOM.
func (b *browser) assertNoScriptRan(where string) {
	b.t.Helper()
	ran, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`window.__xss === 1`))
	if err != nil {
		b.t.Fatalf("%s: %v", where, err)
	}
	if ran {
		b.t.Fatalf("%s: a payload ran (screenshot: %s)", where, b.screenshot("FAILED-xss-"+b.t.Name()))
	}
	active, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`(() => {
		const found = [];
		for (const el of document.querySelectorAll("main *")) {
			if (["SCRIPT","IFRAME","OBJECT","EMBED","BASE","META"].includes(el.tagName)) found.push(el.tagName);
			for (const a of el.attributes) {
				const v = a.value.trim().toLowerCase();
				if (a.name.startsWith("on")) found.push(el.tagName + " " + a.name);
				if (["href","src","action","data","formaction"].includes(a.name) && (v.startsWith("javascript:") || v.startsWith("vbscript:") || v.startsWith("data:text/html"))) found.push(el.tagName + " " + a.name + "=" + v);
			}
		}
		return found;
	})()`))
	if err != nil {
		b.t.Fatalf("%s: %v", where, err)
	}
	if len(active) > 0 {
		b.t.Fatalf("%s: active markup from user text reached the page: %v", where, active)
	}
}

// Known cross-site-scripting payloads written into a journal entry's title,
// text and result render harmless in a real browser: on the entry, in the
// journal list and in search results with highlighted snippets.
func TestJournalRendersPayloadsHarmless(t *testing.T) {
	srv := startServer(t)
	token := strings.TrimSpace(trellisCLI(t, srv.DSN, "", "token", "create", "--email", engineer.Email, "--scope", "write"))
	token = strings.Fields(token)[0]
	me := trellisPersonID(t, srv, token)
	payloads := xssPayloads(t)
	var ids []float64
	for i, p := range payloads {
		status, body := apiPost(t, fmt.Sprintf("%s/api/v1/people/%d/evidence", srv.URL, me), token, map[string]any{
			"title": "payload " + p, "what": p + "\n\nmarker" + fmt.Sprint(i), "result": p, "date": "2026-01-02",
			"competencies": []string{"troubleshooting"}, "visibility": "private",
		})
		if status != http.StatusCreated {
			t.Fatalf("creating the entry with %q: %d %s", p, status, body)
		}
		var ev struct{ ID float64 }
		json.Unmarshal(body, &ev)
		ids = append(ids, ev.ID)
	}
	b := newBrowser(t, srv.URL)
	b.signIn(engineer)
	b.do(chromedp.Navigate(fmt.Sprintf("%s/people/%d/evidence", srv.URL, me)))
	b.waitText("main", "payload")
	b.assertNoScriptRan("journal")
	b.do(chromedp.Navigate(fmt.Sprintf("%s/people/%d/evidence?q=%s", srv.URL, me, "payload+script")))
	b.waitText("main", "payload")
	b.assertNoScriptRan("journal search")
	for i, id := range ids {
		b.do(chromedp.Navigate(fmt.Sprintf("%s/people/%d/evidence/%d", srv.URL, me, int64(id))))
		b.waitText("main", fmt.Sprint("marker", i))
		b.assertNoScriptRan(fmt.Sprintf("entry with %q", payloads[i]))
	}
}

// trellisPersonID asks the API who the token belongs to.
func trellisPersonID(t *testing.T, srv *server, token string) int64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct{ ID int64 }
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.ID == 0 {
		t.Fatalf("/api/v1/me: %d %v", resp.StatusCode, err)
	}
	return me.ID
}
