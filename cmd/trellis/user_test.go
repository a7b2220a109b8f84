package main

import (
	"strings"
	"testing"

	"trellis/auth"
)

func TestUserAddAndPasswordFromStdin(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetestDSN(t)}
	code, stdout, stderr := trellisCmdIn(t, env, "plum-violin-orbit-42\n",
		"user", "add", "--email", "Ada.Okafor@Example.com", "--name", "Ada Okafor", "--role", "senior-support-engineer", "--access", "admin", "--password-stdin")
	if code != 0 || !strings.Contains(stdout, "ada.okafor@example.com") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = trellisCmd(t, env, "user", "add", "--email", "bo@example.com", "--name", "Bo Berg", "--manager", "ada.okafor@example.com")
	if code != 0 {
		t.Fatalf("second person: exit %d %q", code, stderr)
	}
	// Wrong input: each refused with a reason, nothing added.
	for _, c := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"user", "add", "--email", "bo@example.com", "--name", "Bo Again"}, "", "bo@example.com"},
		{[]string{"user", "add", "--email", "cy@example.com", "--name", "Cy", "--role", "senior-suport-engineer"}, "", "senior-support-engineer"},
		{[]string{"user", "add", "--email", "cy@example.com", "--name", "Cy", "--manager", "nobody@example.com"}, "", "nobody@example.com"},
		{[]string{"user", "add", "--email", "not-an-email", "--name", "Cy"}, "", "email"},
		{[]string{"user", "add", "--email", "cy@example.com", "--name", "Cy", "--password-stdin"}, "short\n", "characters"},
	} {
		code, _, stderr := trellisCmdIn(t, env, c.stdin, c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d stderr %q; want 1 and %q", c.args, code, stderr, c.want)
		}
	}
	code, stdout, _ = trellisCmd(t, env, "audit", "--action", "person.")
	if code != 0 || !strings.Contains(stdout, "cli") {
		t.Fatalf("audit: exit %d\n%s", code, stdout)
	}
	if strings.Contains(stdout, "cy@example.com") {
		t.Errorf("a refused add left a trace in the audit log:\n%s", stdout)
	}
}

func TestUserImportAllOrNothing(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetestDSN(t)}
	good := "name,email,role,manager_email,team,region,role_since\n" +
		"Morgan Reyes,morgan@example.com,director-of-support,,,amer,2024-01-01\n" +
		"Sanna Aalto,sanna@example.com,support-engineering-manager,morgan@example.com,escalations,emea,2025-02-01\n" +
		"Hiro Nguyen,hiro@example.com,senior-support-engineer,sanna@example.com,escalations,emea,2025-06-01\n"
	bad := good +
		"Loop One,loop1@example.com,support-engineer,loop2@example.com,saas,amer,2025-01-01\n" +
		"Loop Two,loop2@example.com,support-engineer,loop1@example.com,saas,amer,2025-01-01\n" +
		"No Role,norole@example.com,wizard,,saas,amer,2025-01-01\n"
	code, _, stderr := trellisCmd(t, env, "user", "import", writeFile(t, "bad.csv", bad))
	if code != 1 || !strings.Contains(stderr, "nothing was imported") || !strings.Contains(stderr, "loop1@example.com") || !strings.Contains(stderr, "wizard") {
		t.Fatalf("bad import: exit %d stderr:\n%s", code, stderr)
	}
	code, stdout, stderr := trellisCmd(t, env, "user", "import", writeFile(t, "good.csv", good))
	if code != 0 || !strings.Contains(stdout, "3 people added") {
		t.Fatalf("good import: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = trellisCmd(t, env, "user", "import", writeFile(t, "good.csv", good))
	if code != 0 || !strings.Contains(stdout, "0 people added") {
		t.Fatalf("re-import: exit %d stdout %q", code, stdout)
	}
}

func TestResetLinkAndToken(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetestDSN(t), "TRELLIS_BASE_URL": "https://trellis.example.com/"}
	if code, _, stderr := trellisCmd(t, env, "user", "add", "--email", "ada@example.com", "--name", "Ada Okafor"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := trellisCmd(t, env, "user", "reset-link", "--email", "ada@example.com")
	if code != 0 || !strings.HasPrefix(stdout, "https://trellis.example.com/reset/trr_") {
		t.Fatalf("reset-link: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = trellisCmd(t, env, "token", "create", "--email", "ada@example.com", "--scope", "write")
	secret := strings.TrimSpace(stdout)
	if code != 0 || !auth.WellFormed(secret, auth.TokenPrefix) {
		t.Fatalf("token create: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"token", "create", "--email", "ghost@example.com"},
		{"token", "create", "--email", "ada@example.com", "--scope", "admin"},
		{"user", "reset-link", "--email", "ghost@example.com"},
		{"user", "reset-link", "--email", "ada@example.com", "--hours", "0"},
		{"audit", "--since", "yesterday"},
	} {
		if code, _, stderr := trellisCmd(t, env, args...); code != 1 {
			t.Errorf("%v: exit %d (%s), want 1", args, code, stderr)
		}
	}
	code, stdout, _ = trellisCmd(t, env, "audit", "--since", "1h")
	if code != 0 || !strings.Contains(stdout, "token.created") || !strings.Contains(stdout, "reset_link.created") {
		t.Fatalf("audit: exit %d\n%s", code, stdout)
	}
}
