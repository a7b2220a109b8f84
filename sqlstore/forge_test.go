package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/forge"
	"trellis/sqlstore"
)

const forgeKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func newForgeStore(t *testing.T, e *growthEnv) *sqlstore.ForgeStore {
	t.Helper()
	s, err := forge.NewSealer(forgeKey)
	if err != nil {
		t.Fatal(err)
	}
	return sqlstore.NewForgeStore(e.db, s)
}

func forgeItem(person int64, id string, merged string) *forge.Item {
	m, _ := time.Parse(time.RFC3339, merged)
	return &forge.Item{PersonID: person, Kind: forge.GitLab, BaseURL: "https://gitlab.example.com", ExternalID: id, Type: forge.MergeRequest,
		URL: "https://gitlab.example.com/support/tools/-/merge_requests/" + strings.TrimPrefix(id, "mr:"), Title: "Merge request " + id,
		Labels: []string{"bug"}, MergedAt: m, UpdatedAt: m, Activity: "bug-fix", ActivityReason: "label bug"}
}

func TestForgeTokensSealedAtRest(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	const secret = "glpat-very-secret-token-xyz"

	// Without a key, a token is refused and nothing is stored.
	bare := sqlstore.NewForgeStore(e.db, nil)
	a := &forge.Account{PersonID: e.alice.ID, Kind: forge.GitLab, BaseURL: "https://gitlab.example.com/", Username: "alice", Token: secret}
	err := bare.AddAccount(ctx, a)
	if trellis.ErrorCode(err) != trellis.ERULE || !strings.Contains(trellis.ErrorMessage(err), forge.EnvSecretKey) {
		t.Fatalf("without a key: %v", err)
	}
	if list, _ := bare.ListAccounts(ctx, e.alice.ID); len(list) != 0 {
		t.Fatalf("stored without a key: %+v", list)
	}
	// Without a token and without a key, a connection is fine.
	if err := bare.AddAccount(ctx, &forge.Account{PersonID: e.alice.ID, Kind: forge.GitHub, Username: "alice-gh"}); err != nil {
		t.Fatal(err)
	}

	s := newForgeStore(t, e)
	if err := s.AddAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.Token != "" || !a.HasToken || a.BaseURL != "https://gitlab.example.com" {
		t.Fatalf("account after add: %+v", a)
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := tx.QueryRowContext(ctx, `SELECT token FROM forge_accounts WHERE id = $1`, a.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	if strings.Contains(stored, secret) || !strings.HasPrefix(stored, "v1:") {
		t.Fatalf("the token is stored as %q", stored)
	}
	got, err := s.AccountForSync(ctx, a.ID)
	if err != nil || got.Token != secret {
		t.Fatalf("unsealed: %q, %v", got.Token, err)
	}
	// Another key does not open it, and says so in words.
	other, _ := forge.NewSealer(strings.Repeat("ab", 32))
	if _, err := sqlstore.NewForgeStore(e.db, other).AccountForSync(ctx, a.ID); !forge.IsUnsealError(err) {
		t.Fatalf("with another key: %v", err)
	}
	// The same connection twice is a conflict.
	if err := s.AddAccount(ctx, &forge.Account{PersonID: e.alice.ID, Kind: forge.GitLab, BaseURL: "https://GitLab.example.com", Username: "alice"}); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	// Bad input names the fields.
	err = s.AddAccount(ctx, &forge.Account{PersonID: e.alice.ID, Kind: "bitbucket", Username: "a b"})
	if d := trellis.ErrorDetails(err); len(d) != 2 {
		t.Fatalf("bad account: %v %+v", err, d)
	}
}

func TestForgeSaveItemsIdempotentAndCursor(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	s := newForgeStore(t, e)
	a := &forge.Account{PersonID: e.alice.ID, Kind: forge.GitLab, BaseURL: "https://gitlab.example.com", Username: "alice"}
	if err := s.AddAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	t1 := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	items := []*forge.Item{forgeItem(e.alice.ID, "mr:1", "2026-01-10T10:00:00Z"), forgeItem(e.alice.ID, "mr:2", "2026-01-11T10:00:00Z")}
	if n, err := s.SaveItems(ctx, a.ID, forge.StreamMergeRequests, t1, items); err != nil || n != 2 {
		t.Fatalf("first save: %d %v", n, err)
	}
	if n, err := s.SaveItems(ctx, a.ID, forge.StreamMergeRequests, t1.Add(-time.Hour), items); err != nil || n != 0 {
		t.Fatalf("second save: %d %v", n, err)
	}
	got, _ := s.AccountForSync(ctx, a.ID)
	if !got.State[forge.StreamMergeRequests].Equal(t1) {
		t.Fatalf("cursor %v, want %v (never backwards)", got.State, t1)
	}
	// Paging newest first.
	for i := 3; i <= 5; i++ {
		s.SaveItems(ctx, a.ID, forge.StreamMergeRequests, t1, []*forge.Item{forgeItem(e.alice.ID, "mr:"+string(rune('0'+i)), "2026-01-1"+string(rune('0'+i))+"T10:00:00Z")})
	}
	var seen []string
	cursor := ""
	for {
		page, err := s.ListItems(ctx, forge.ItemFilter{PersonID: e.alice.ID, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			seen = append(seen, it.ExternalID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if strings.Join(seen, ",") != "mr:5,mr:4,mr:3,mr:2,mr:1" {
		t.Fatalf("pages: %v", seen)
	}
}

func TestForgeAcceptCreatesEvidence(t *testing.T) {
	e := newGrowthEnv(t)
	ctx := context.Background()
	s := newForgeStore(t, e)
	a := &forge.Account{PersonID: e.alice.ID, Kind: forge.GitLab, BaseURL: "https://gitlab.example.com", Username: "alice"}
	if err := s.AddAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveItems(ctx, a.ID, forge.StreamMergeRequests, time.Now(), []*forge.Item{
		forgeItem(e.alice.ID, "mr:1", "2026-01-10T10:00:00Z"), forgeItem(e.alice.ID, "mr:2", "2026-01-11T10:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	page, _ := s.ListItems(ctx, forge.ItemFilter{PersonID: e.alice.ID, Status: forge.Pending})
	if len(page.Items) != 2 {
		t.Fatalf("pending: %d", len(page.Items))
	}
	first, second := page.Items[1], page.Items[0]

	// A bad entry (unknown competency) changes nothing.
	bad := &trellis.Evidence{Title: first.Title, Date: first.MergedAt, Links: []string{first.URL}, Competencies: []string{"no-such-competency"}}
	if err := s.AcceptItem(ctx, first.ID, bad); trellis.ErrorCode(err) != trellis.EINVALID {
		t.Fatalf("bad entry: %v", err)
	}
	if it, _ := s.FindItem(ctx, first.ID); it.Status != forge.Pending {
		t.Fatalf("after a refused accept: %s", it.Status)
	}

	ev := &trellis.Evidence{Title: first.Title, Date: first.MergedAt, Links: []string{first.URL}, Activity: "bug-fix", Competencies: []string{"troubleshooting"}}
	if err := s.AcceptItem(as(e.alice), first.ID, ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID == 0 || ev.PersonID != e.alice.ID || ev.Visibility != trellis.VisPrivate {
		t.Fatalf("entry: %+v", ev)
	}
	stored, err := e.evidence.FindEvidence(ctx, ev.ID)
	if err != nil || len(stored.Links) != 1 || stored.Links[0] != first.URL || stored.Competencies[0] != "troubleshooting" {
		t.Fatalf("stored entry %+v %v", stored, err)
	}
	it, _ := s.FindItem(ctx, first.ID)
	if it.Status != forge.Accepted || it.EvidenceID == nil || *it.EvidenceID != ev.ID {
		t.Fatalf("item after accept: %+v", it)
	}
	if err := s.AcceptItem(ctx, first.ID, ev); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("accepting twice: %v", err)
	}
	if err := s.DismissItem(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DismissItem(ctx, second.ID); trellis.ErrorCode(err) != trellis.ECONFLICT {
		t.Fatalf("dismissing twice: %v", err)
	}
	// A later sync of the same items brings neither back.
	if n, _ := s.SaveItems(ctx, a.ID, forge.StreamMergeRequests, time.Now(), []*forge.Item{
		forgeItem(e.alice.ID, "mr:1", "2026-01-10T10:00:00Z"), forgeItem(e.alice.ID, "mr:2", "2026-01-11T10:00:00Z")}); n != 0 {
		t.Fatalf("re-imported %d", n)
	}
	if page, _ := s.ListItems(ctx, forge.ItemFilter{PersonID: e.alice.ID, Status: forge.Pending}); len(page.Items) != 0 {
		t.Fatalf("pending after decisions: %d", len(page.Items))
	}
	// Deleting the entry is not blocked by the item pointing at it.
	if err := e.evidence.DeleteEvidence(as(e.alice), ev.ID); err != nil {
		t.Fatal(err)
	}
}
