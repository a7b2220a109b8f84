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

// apiSend sends JSON to the API with a Bearer token and extra headers.
func apiSend(t *testing.T, method, url, token string, body any, header ...string) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

// apiPost sends JSON to the API with a Bearer token and returns the status.
func apiPost(t *testing.T, url, token string, body any) (int, []byte) {
	t.Helper()
	return apiSend(t, http.MethodPost, url, token, body)
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
		const root = document.querySelector("main") ? "main *" : "body *";
		for (const el of document.querySelectorAll(root)) {
			// The product's own scripts come from /static/ under a content hash.
			const own = el.tagName === "SCRIPT" && /^\/static\/[\w.-]+\.js$/.test(el.getAttribute("src") || "");
			if (!own && ["SCRIPT","IFRAME","OBJECT","EMBED","BASE","META"].includes(el.tagName)) found.push(el.tagName);
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
	b.do(chromedp.Navigate(fmt.Sprintf("%s/people/%d/evidence?q=%s", srv.URL, me, "payload")))
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

// The same corpus in every section and the title of a promotion document
// renders harmless on the document, the editor, its history, the review
// copy and the standalone print export.
func TestDocumentRendersPayloadsHarmless(t *testing.T) {
	srv := startServer(t)
	token := strings.Fields(trellisCLI(t, srv.DSN, "", "token", "create", "--email", engineer.Email, "--scope", "write"))[0]
	me := trellisPersonID(t, srv, token)
	payloads := xssPayloads(t)
	all := strings.Join(payloads, "\n\n")
	status, body := apiPost(t, srv.URL+"/api/v1/documents", token, map[string]any{
		"person_id": me, "target_role": "senior-support-engineer", "title": "Promotion " + payloads[0],
	})
	if status != http.StatusCreated {
		t.Fatalf("creating the document: %d %s", status, body)
	}
	var doc struct {
		ID      int64
		Version int
	}
	json.Unmarshal(body, &doc)
	sections := map[string]string{}
	for _, id := range []string{"summary", "business-results", "values-alignment"} {
		sections[id] = "marker-" + id + "\n\n" + all
	}
	status, body = apiSend(t, http.MethodPatch, fmt.Sprintf("%s/api/v1/documents/%d", srv.URL, doc.ID), token,
		map[string]any{"sections": sections}, "If-Match", fmt.Sprintf(`"v%d"`, doc.Version))
	if status != http.StatusOK {
		t.Fatalf("writing the sections: %d %s", status, body)
	}
	b := newBrowser(t, srv.URL)
	b.signIn(engineer)
	for page, shows := range map[string]string{"": "marker-summary", "/edit": "Save Summary", "/history": "marker-values-alignment", "/export?format=html": "marker-summary"} {
		b.do(chromedp.Navigate(fmt.Sprintf("%s/documents/%d%s", srv.URL, doc.ID, page)))
		b.waitText("body", shows)
		b.assertNoScriptRan("document" + page)
	}
}
