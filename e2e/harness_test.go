// Package e2e drives the real trellis binary with headless Chromium.
package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trellis/sqlstore/storetest"
)

// binary is the trellis executable built once for the whole package.
var binary string

// chromiumPath is the browser the journeys run in; empty when none is installed.
var chromiumPath string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	for _, p := range []string{os.Getenv("TRELLIS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				chromiumPath = p
				break
			}
		}
	}
	dir, err := os.MkdirTemp("", "trellis-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "trellis")
	build := exec.Command("go", "build", "-o", binary, "../cmd/trellis")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building trellis: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// server is a running `trellis serve` process on a fresh database.
type server struct {
	URL string
	DSN string
	cmd *exec.Cmd
}

var servingLine = regexp.MustCompile(`serving at (http://\S+)`)

// account is a person the journeys sign in as.
type account struct {
	Email, Name, Role, Access, Manager string
}

// password signs in every account of the journeys.
const password = "journey-password-2026"

var (
	admin    = account{Email: "ada.admin@example.com", Name: "Ada Admin", Role: "senior-support-engineer", Access: "admin"}
	director = account{Email: "dee.director@example.com", Name: "Dee Director", Role: "director-of-support", Access: "director"}
	manager  = account{Email: "mo.manager@example.com", Name: "Mo Manager", Role: "support-engineering-manager", Access: "engineer", Manager: "dee.director@example.com"}
	peer     = account{Email: "pat.peer@example.com", Name: "Pat Peer", Role: "support-engineering-manager", Access: "engineer", Manager: "dee.director@example.com"}
	engineer = account{Email: "eli.engineer@example.com", Name: "Eli Engineer", Role: "support-engineer", Access: "engineer", Manager: "mo.manager@example.com"}
	// peersReport makes Pat a manager: a peer manager has reports of their own.
	peersReport = account{Email: "rae.report@example.com", Name: "Rae Report", Role: "associate-support-engineer", Access: "engineer", Manager: "pat.peer@example.com"}
)

// trellisCLI runs the real binary against dsn, as an operator would.
func trellisCLI(t *testing.T, dsn, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append(args, "--db", dsn)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trellis %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// startServer runs the real binary on a free port and a fresh database
// (SQLite, or PostgreSQL when TRELLIS_TEST_POSTGRES is set), with the
// journeys' accounts added through the CLI, and stops it when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	dsn := storetest.DSN(t)
	trellisCLI(t, dsn, "", "migrate")
	for _, a := range []account{admin, director, manager, peer, engineer, peersReport} {
		args := []string{"user", "add", "--email", a.Email, "--name", a.Name, "--role", a.Role, "--access", a.Access, "--password-stdin"}
		if a.Manager != "" {
			args = append(args, "--manager", a.Manager)
		}
		trellisCLI(t, dsn, password+"\n", args...)
	}
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", dsn)
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile := filepath.Join(t.TempDir(), "server.log")
	logs, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting trellis: %v", err)
	}
	s := &server{cmd: cmd, DSN: dsn}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		logs.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logFile); err == nil {
				t.Logf("server log:\n%s", b)
			}
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.URL = <-found:
	case <-time.After(60 * time.Second):
		b, _ := os.ReadFile(logFile)
		t.Fatalf("trellis did not start within 60s; log:\n%s", b)
	}
	return s
}

// browser is one headless Chromium tab pointed at a server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newBrowser starts headless Chromium for the test. Without Chromium the test
// is skipped, unless TRELLIS_E2E_REQUIRED is set (as ./scripts/test does),
// where it fails.
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	if chromiumPath == "" {
		if os.Getenv("TRELLIS_E2E_REQUIRED") != "" {
			t.Fatal("Chromium is not installed; ./scripts/test installs it with apt (package chromium)")
		}
		t.Skip("Chromium is not installed; run ./scripts/test to install it")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	b := &browser{t: t, ctx: ctx, base: base}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return b
}

// artifactDir holds screenshots: those taken on failure and those kept on
// purpose for people to look at.
func artifactDir() string {
	if d := os.Getenv("TRELLIS_E2E_ARTIFACTS"); d != "" {
		return d
	}
	d, _ := filepath.Abs("screenshots")
	return d
}

// do runs steps in the tab; on failure it saves a screenshot and stops the test.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		path := b.screenshot("FAILED-" + b.t.Name())
		b.t.Fatalf("browser: %v (screenshot: %s)", err, path)
	}
}

// text returns the text of the first node matching sel: what is rendered for
// HTML elements, the text content for SVG ones (which have no innerText).
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { const n = document.querySelector(%q); if (!n) throw new Error("no element matches " + %q); return n.innerText ?? n.textContent; })()`, sel, sel)))
	if err != nil {
		path := b.screenshot("FAILED-" + b.t.Name())
		b.t.Fatalf("browser: reading text of %s: %v (screenshot: %s)", sel, err, path)
	}
	return strings.TrimSpace(s)
}

// count returns how many nodes match sel right now.
func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
	if err != nil {
		b.t.Fatalf("browser: counting %s: %v", sel, err)
	}
	return n
}

// location returns the current URL.
func (b *browser) location() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatalf("browser: location: %v", err)
	}
	return u
}

// screenshot saves a full-page PNG named after name and returns its path.
func (b *browser) screenshot(name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Sprintf("(no screenshot: %v)", err)
	}
	dir := artifactDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Sprintf("(no screenshot: %v)", err)
	}
	safe := regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(name, "_")
	path := filepath.Join(dir, safe+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Sprintf("(no screenshot: %v)", err)
	}
	return path
}

// waitURL waits until the tab's address contains part and the new page's
// document is ready: a click that navigates returns before the next page has
// replaced the old one, so waiting for an element could find the old page's.
func (b *browser) waitURL(part string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ready, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`location.href.includes(%q) && document.readyState === "complete"`, part)))
		cancel()
		if err == nil && ready {
			return
		}
		if time.Now().After(deadline) {
			path := b.screenshot("FAILED-" + b.t.Name())
			b.t.Fatalf("browser: the address never contained %q (now %s; screenshot: %s)", part, b.location(), path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signIn signs in through the sign-in form and waits for the page it leads to.
func (b *browser) signIn(a account) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(b.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
	)
	b.fill(`input[name="email"]`, a.Email)
	b.fill(`input[name="password"]`, password)
	b.do(chromedp.Submit(chromedp.CSS(`input[name="password"]`)))
	deadline := time.Now().Add(20 * time.Second)
	for strings.Contains(b.location(), "/signin") {
		if time.Now().After(deadline) {
			path := b.screenshot("FAILED-" + b.t.Name())
			b.t.Fatalf("still on the sign-in page after signing in as %s (screenshot: %s)", a.Email, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.do(chromedp.WaitReady(chromedp.CSS("body")))
}

// fill replaces the value of the form field matching sel, as typing would.
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const n = document.querySelector(%q); n.value = ""; })()`, sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value),
	)
}

// waitText waits until the element matching sel contains want: for a form
// posted to the address it came from, the address says nothing.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`(() => { const n = document.querySelector(%q); return !!n && document.readyState === "complete" && (n.innerText ?? n.textContent).includes(%q); })()`, sel, want)))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			path := b.screenshot("FAILED-" + b.t.Name())
			b.t.Fatalf("browser: %s never showed %q (screenshot: %s)", sel, want, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clickAndLoad clicks what sel matches and waits until the page it leads to
// has replaced this one and finished loading: the old page is marked, and
// the mark is gone once a new document stands in its place.
func (b *browser) clickAndLoad(sel string) {
	b.t.Helper()
	b.do(
		chromedp.Evaluate[chromedp.Void](`window.__e2eOldPage = true`),
		chromedp.Click(chromedp.CSS(sel)),
	)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__e2eOldPage === undefined && document.readyState === "complete"`))
		cancel()
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			path := b.screenshot("FAILED-" + b.t.Name())
			b.t.Fatalf("browser: clicking %s led to no new page (screenshot: %s)", sel, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
