package main

import (
	"strings"
	"testing"
	"time"
)

func TestEvidenceAddAndImport(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetestDSN(t)}
	if code, _, stderr := trellisCmd(t, env, "user", "add", "--email", "eli@example.com", "--name", "Eli Engineer"); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := trellisCmd(t, env, "evidence", "add", "--email", "eli@example.com", "--title", "Paired with two new engineers on an escalation",
		"--what", "Walked them through the logs and found the root cause together", "--activity", "pairing-session", "--date", "2026-03-02")
	if code != 0 || !strings.Contains(stdout, "added evidence") || !strings.Contains(stdout, "Suggested") || !strings.Contains(stdout, "growing-others") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = trellisCmd(t, env, "evidence", "add", "--email", "eli@example.com", "--title", "Fixed the export bug",
		"--competency", "troubleshooting", "--link", "https://tracker.example.com/issues/12", "--date", "2026-03-03")
	if code != 0 || strings.Contains(stdout, "Suggested") {
		t.Fatalf("tagged entry: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	tomorrow := time.Now().UTC().AddDate(0, 0, 3).Format("2006-01-02")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--title", "x", "--competency", "trubleshooting"}, "troubleshooting"},
		{[]string{"--title", "x", "--date", tomorrow}, "date"},
		{[]string{"--title", "x", "--link", "ftp://example.com/x"}, "links"},
		{[]string{"--title", ""}, "title"},
		{[]string{"--title", "x", "--date", "03/02/2026"}, "YYYY-MM-DD"},
	} {
		args := append([]string{"evidence", "add", "--email", "eli@example.com"}, c.args...)
		if code, _, stderr := trellisCmd(t, env, args...); code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d stderr %q; want 1 naming %q", c.args, code, stderr, c.want)
		}
	}
	csv := "title,date,competencies,activity\n" +
		"Ran office hours,2026-02-01,growing-others,office-hours\n" +
		"Wrote the runbook,2026-02-03,documentation,documentation-contribution\n"
	bad := csv + "Broken,2026-13-01,nonsense,\n"
	code, _, stderr = trellisCmd(t, env, "evidence", "import", "--email", "eli@example.com", writeFile(t, "bad.csv", bad))
	if code != 1 || !strings.Contains(stderr, "nothing was imported") || !strings.Contains(stderr, "row 4") {
		t.Fatalf("bad import: exit %d stderr:\n%s", code, stderr)
	}
	code, stdout, stderr = trellisCmd(t, env, "evidence", "import", "--email", "eli@example.com", writeFile(t, "good.csv", csv))
	if code != 0 || !strings.Contains(stdout, "2 entries added") {
		t.Fatalf("good import: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestSeed(t *testing.T) {
	env := map[string]string{"TRELLIS_DB": storetestDSN(t)}
	code, stdout, stderr := trellisCmd(t, env, "seed", "--people", "30", "--evidence-per-person", "5")
	if code != 0 || !strings.Contains(stdout, "seeded 30 people") || !strings.Contains(stderr, "100%") {
		t.Fatalf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = trellisCmd(t, env, "audit", "--limit", "5")
	if code != 0 {
		t.Fatalf("audit after seed: exit %d", code)
	}
	for _, args := range [][]string{{"seed"}, {"seed", "--people", "-3"}, {"seed", "--people", "5", "--evidence-per-person", "-1"}} {
		if code, _, _ := trellisCmd(t, env, args...); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
	}
}
