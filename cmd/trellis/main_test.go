package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/auth"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// trellisCmd runs one command line in-process and returns its exit code and output.
func trellisCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return trellisCmdIn(t, env, "", args...)
}

// trellisCmdIn is trellisCmd with standard input.
func trellisCmdIn(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func storetestDSN(t *testing.T) string { return storetest.DSN(t) }

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const smallFramework = `apiVersion: trellis/v1
kind: Framework
id: ops
name: Operations ladder
version: "1"
areas:
  - {id: technical, name: Technical}
competencies:
  - {id: troubleshooting, area: technical, name: Troubleshooting}
  - {id: automation, area: technical, name: Automation}
tracks:
  - {id: ic, name: Individual contributor}
roles:
  - id: operator
    name: Operator
    track: ic
    grade: 1
    expectations:
      - {competency: troubleshooting, text: Follows runbooks.}
  - id: senior-operator
    name: Senior Operator
    track: ic
    grade: 2
    expectations:
      - {competency: troubleshooting, text: Writes runbooks.}
      - {competency: automation, text: Automates toil.}
transitions:
  - {from: operator, to: senior-operator, kind: merit}
`

func TestValidateReportsEveryErrorWithPosition(t *testing.T) {
	broken := strings.NewReplacer(
		"competency: troubleshooting, text: Writes", "competency: trubleshooting, text: Writes",
		"kind: merit", "kind: promotion",
		"grade: 2", "grade: 2\n    colour: blue",
	).Replace(smallFramework)
	path := writeFile(t, "ops.yaml", broken)
	code, _, stderr := trellisCmd(t, nil, "framework", "validate", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{
		path + ":",
		`"trubleshooting", which is not defined (did you mean "troubleshooting"?)`,
		`"promotion"`,
		`colour`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if lines := strings.Count(stderr, path+":"); lines < 3 {
		t.Errorf("want at least 3 positioned errors, got %d:\n%s", lines, stderr)
	}
}

func TestValidateAcceptsGoodFile(t *testing.T) {
	path := writeFile(t, "ops.yaml", smallFramework)
	code, stdout, stderr := trellisCmd(t, nil, "framework", "validate", path)
	if code != 0 || !strings.Contains(stdout, "valid") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestImportExportRoundTrip(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetest.DSN(t)}
	path := writeFile(t, "ops.yaml", smallFramework)
	code, stdout, stderr := trellisCmd(t, env, "framework", "import", path, "--activate")
	if code != 0 || !strings.Contains(stdout, "ops@1") {
		t.Fatalf("import: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, exported, stderr := trellisCmd(t, env, "framework", "export", "ops@1")
	if code != 0 {
		t.Fatalf("export: exit %d stderr %q", code, stderr)
	}
	again := writeFile(t, "exported.yaml", exported)
	code, stdout, stderr = trellisCmd(t, env, "framework", "import", again)
	if code != 0 || !strings.Contains(stdout, "nothing changed") {
		t.Fatalf("re-import of the export is not a no-op: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = trellisCmd(t, env, "audit", "--action", "export")
	if code != 0 || !strings.Contains(stdout, "ops@1") || !strings.Contains(stdout, "cli") {
		t.Fatalf("the export is not in the audit log: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = trellisCmd(t, env, "framework", "list")
	if code != 0 || !strings.Contains(stdout, "ops") || !strings.Contains(stdout, "support") {
		t.Fatalf("list: exit %d\n%s", code, stdout)
	}
}

func TestImportOfBrokenFileChangesNothing(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetest.DSN(t)}
	path := writeFile(t, "ops.yaml", strings.Replace(smallFramework, "track: ic\n    grade: 2", "track: icc\n    grade: 2", 1))
	code, _, stderr := trellisCmd(t, env, "framework", "import", path)
	if code != 1 || !strings.Contains(stderr, "nothing was imported") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	code, _, stderr = trellisCmd(t, env, "framework", "export", "ops")
	if code != 1 || !strings.Contains(stderr, "support") {
		t.Fatalf("export of a framework never imported: exit %d stderr %q (want 1 and the known ids)", code, stderr)
	}
}

func TestExportAndDiffOfUnknownVersionListKnownOnes(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetest.DSN(t)}
	path := writeFile(t, "ops.yaml", smallFramework)
	if code, _, stderr := trellisCmd(t, env, "framework", "import", path); code != 0 {
		t.Fatal(stderr)
	}
	v2 := strings.Replace(strings.Replace(smallFramework, `version: "1"`, `version: "2"`, 1), "Automates toil.", "Automates toil and measures it.", 1)
	if code, _, stderr := trellisCmd(t, env, "framework", "import", writeFile(t, "ops2.yaml", v2)); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := trellisCmd(t, env, "framework", "export", "ops@7")
	if code != 1 || !strings.Contains(stderr, "1, 2") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	code, stdout, stderr := trellisCmd(t, env, "framework", "diff", "ops@1", "ops@2")
	if code != 0 || !strings.Contains(stdout, "senior-operator") || !strings.Contains(stdout, "measures it") {
		t.Fatalf("diff: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, _, stderr = trellisCmd(t, env, "framework", "diff", "ops@1", "ops@9")
	if code != 1 || !strings.Contains(stderr, "1, 2") {
		t.Fatalf("diff against unknown version: exit %d stderr %q", code, stderr)
	}
}

func TestUnreachableDatabaseNamesMaskedDSN(t *testing.T) {
	code, _, stderr := trellisCmd(t, nil, "migrate", "--db", "postgres://trellis:s3cret@127.0.0.1:1/trellis?sslmode=disable&connect_timeout=3")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, stderr)
	}
	if strings.Contains(stderr, "s3cret") || !strings.Contains(stderr, "127.0.0.1:1") {
		t.Fatalf("want the DSN with the password masked, got %q", stderr)
	}
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "trellis.db")
	code, _, stderr = trellisCmd(t, nil, "migrate", "--db", missing)
	if code != 1 || !strings.Contains(stderr, missing) {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"framework"}, {"framework", "export"}, {"framework", "diff", "support"}, {"serve", "--addr"}} {
		if code, _, _ := trellisCmd(t, nil, args...); code != 2 {
			t.Errorf("trellis %v: exit %d, want 2", args, code)
		}
	}
	code, _, stderr := trellisCmd(t, nil, "serve", "--addr", "nonsense", "--db", filepath.Join(t.TempDir(), "x.db"))
	if code != 1 || !strings.Contains(stderr, "listen address") {
		t.Errorf("bad --addr: exit %d stderr %q", code, stderr)
	}
}

func TestSchemaAndVersion(t *testing.T) {
	code, stdout, _ := trellisCmd(t, nil, "framework", "schema")
	if code != 0 || !strings.Contains(stdout, `"$schema"`) {
		t.Fatalf("schema: exit %d %q", code, stdout[:min(len(stdout), 200)])
	}
	code, stdout, _ = trellisCmd(t, nil, "version")
	if code != 0 || !strings.HasPrefix(stdout, "trellis ") {
		t.Fatalf("version: exit %d %q", code, stdout)
	}
}

func TestMainServesSignedInPeopleOnly(t *testing.T) {
	m := &Main{Config: DefaultConfig()}
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DB = storetest.DSN(t)
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	// Anonymous visitors are sent to the sign-in page.
	resp, err := httpGet(m.URL()+"/frameworks/support/matrix", "")
	if err != nil {
		t.Fatal(err)
	}
	if resp.status != 200 || !strings.Contains(resp.body, "Sign in") {
		t.Fatalf("anonymous matrix: %d\n%.300s", resp.status, resp.body)
	}
	// A person with an API token reads the default framework.
	ctx := context.Background()
	p := &trellis.Person{Email: "ada@example.com", Name: "Ada Okafor", RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}
	if err := sqlstore.NewPersonService(m.DB).CreatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	tok, secret, err := auth.NewAPIToken(p.ID, "test", auth.ScopeRead, time.Now().UTC(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.NewTokenStore(m.DB).CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	resp, err = httpGet(m.URL()+"/api/v1/frameworks/support", secret)
	if err != nil {
		t.Fatal(err)
	}
	if resp.status != 200 || !strings.Contains(resp.body, "senior-support-engineer") {
		t.Fatalf("framework API: %d\n%.300s", resp.status, resp.body)
	}
}
