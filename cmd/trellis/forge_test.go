package main

import (
	"context"
	"strings"
	"testing"

	"trellis/forge"
	"trellis/forge/forgetest"
	"trellis/sqlstore"
)

const testSecretKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// connect stores a connection of the person with email to srv, sealed with
// testSecretKey.
func connect(t *testing.T, dsn, email string, srv *forgetest.Server, user string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := sqlstore.NewPersonService(db).FindPersonByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := forge.NewSealer(testSecretKey)
	if err := sqlstore.NewForgeStore(db, sealer).AddAccount(ctx, &forge.Account{PersonID: p.ID, Kind: srv.Kind, BaseURL: srv.BaseURL(),
		Username: user, Token: forgetest.Token}); err != nil {
		t.Fatal(err)
	}
}

func TestSyncVerb(t *testing.T) {
	dsn := storetestDSN(t)
	env := map[string]string{"TRELLIS_DB": dsn, "TRELLIS_SECRET_KEY": testSecretKey}
	for _, email := range []string{"gil@example.com", "hub@example.com"} {
		if code, _, stderr := trellisCmd(t, env, "user", "add", "--email", email, "--name", "Some One"); code != 0 {
			t.Fatal(stderr)
		}
	}
	gl, gh := forgetest.NewGitLab(t), forgetest.NewGitHub(t)
	connect(t, dsn, "gil@example.com", gl, forgetest.GitLabUser)
	connect(t, dsn, "hub@example.com", gh, forgetest.GitHubUser)

	code, stdout, stderr := trellisCmd(t, env, "sync", "--email", "gil@example.com")
	if code != 0 || !strings.Contains(stdout, "8 new") || !strings.Contains(stderr, "merge_requests: 2 read, 2 new") {
		t.Fatalf("sync --email: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, forgetest.Token) {
		t.Fatal("the token was printed")
	}
	code, stdout, stderr = trellisCmd(t, env, "sync", "--all")
	if code != 0 || !strings.Contains(stdout, "0 new") || !strings.Contains(stdout, "7 new") || !strings.Contains(stdout, "7 new item(s)") {
		t.Fatalf("sync --all: exit %d stdout %q stderr %q", code, stdout, stderr)
	}

	// A refused token: exit 1, the reason in words.
	gl.SetToken("another")
	code, stdout, stderr = trellisCmd(t, env, "sync", "--email", "gil@example.com")
	if code != 1 || !strings.Contains(stdout, "GitLab said the token is not valid (401)") || !strings.Contains(stderr, "stopped early") {
		t.Fatalf("bad token: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	// Without the key the stored token does not open: said in words.
	delete(env, "TRELLIS_SECRET_KEY")
	code, stdout, _ = trellisCmd(t, env, "sync", "--email", "gil@example.com")
	if code != 1 || !strings.Contains(stdout, "TRELLIS_SECRET_KEY") {
		t.Fatalf("no key: exit %d stdout %q", code, stdout)
	}
	if code, _, stderr := trellisCmd(t, env, "sync"); code != 2 || !strings.Contains(stderr, "--email or --all") {
		t.Fatalf("usage: %d %q", code, stderr)
	}
	env["TRELLIS_SECRET_KEY"] = "too-short"
	if code, _, stderr := trellisCmd(t, env, "sync", "--all"); code != 1 || !strings.Contains(stderr, "32 random bytes") {
		t.Fatalf("bad key: %d %q", code, stderr)
	}
}
