package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A person explores the default framework: the matrix, narrowed to the
// management track, then a role, then the career graph.
func TestMatrixFilterRoleGraphJourney(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t, srv.URL)
	b.signIn(engineer)

	b.do(
		chromedp.Navigate(srv.URL+"/frameworks/support/matrix"),
		chromedp.WaitVisible(chromedp.CSS("table.matrix")),
	)
	if n := b.count("table.matrix th.role-col"); n != 9 {
		t.Fatalf("matrix shows %d roles, want the 9 of the support framework", n)
	}
	if n := b.count("table.matrix th.comp"); n < 12 {
		t.Fatalf("matrix shows %d competencies, want at least 12", n)
	}
	t.Logf("matrix screenshot: %s", b.screenshot("matrix"))

	b.do(
		chromedp.SetValue(chromedp.CSS("#f-track"), "management"),
		chromedp.Click(chromedp.CSS("form.filters button[type=submit]")),
	)
	b.waitURL("track=management")
	if n := b.count("table.matrix th.role-col"); n != 3 {
		t.Fatalf("management track shows %d roles, want 3", n)
	}
	if got := b.text("table.matrix th.role-col a"); got != "Support Engineering Manager" {
		t.Fatalf("first management role is %q", got)
	}

	b.do(chromedp.Click(chromedp.CSS("table.matrix th.role-col a")))
	b.waitURL("/roles/support-engineering-manager")
	if h := b.text("h1"); !strings.Contains(h, "Support Engineering Manager") {
		t.Fatalf("role page heading is %q", h)
	}
	if body := b.text("main"); !strings.Contains(body, "Senior Manager, Support Engineering") && !strings.Contains(body, "Senior Support Engineering Manager") {
		t.Fatalf("role page does not say where a manager can go next:\n%s", body)
	}

	b.do(chromedp.Click(chromedp.CSS(`nav a[href$="/graph"]`)))
	b.waitURL("/graph")
	b.do(chromedp.WaitVisible(chromedp.CSS("svg.graph")))
	svg := b.text("svg.graph")
	for _, role := range []string{"Director of Support", "Staff Support Engineer", "Associate Support Engineer"} {
		if !strings.Contains(svg, role) {
			t.Errorf("career graph lacks %q", role)
		}
	}
	t.Logf("graph screenshot: %s", b.screenshot("graph"))
}
