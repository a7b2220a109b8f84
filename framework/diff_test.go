package framework

import (
	"encoding/json"
	"strings"
	"testing"

	"trellis"
)

func TestDiff(t *testing.T) {
	a := readFile(t, "testdata/support.yaml", ReadOptions{})
	b := readFile(t, "testdata/support.yaml", ReadOptions{})
	if d := Diff(a, b); !d.Empty() || d.Text() != "no changes\n" {
		t.Fatalf("same file: %s", d.Text())
	}

	b.Version = "2026.3"
	b.Roles[0].Name = "Support Engineer I"
	b.Roles[1].Expectations[0].Text = "Finds causes nobody has seen."
	three := 2
	b.Roles[1].Expectations[0].Level = &three
	b.Roles[1].Expectations[0].Markers = nil
	b.Roles[0].Expectations = b.Roles[0].Expectations[:1] // communication removed
	b.Transitions[1].Kind = trellis.KindBusinessNeed
	b.Competencies = append(b.Competencies, trellis.Competency{ID: "writing", Area: "people", Name: "Writing"})
	b.Resources = b.Resources[:1]
	b.Tracks[0], b.Tracks[1] = b.Tracks[1], b.Tracks[0]

	d := Diff(a, b)
	type row struct{ section, op, key string }
	var got []row
	for _, c := range d.Changes {
		got = append(got, row{c.Section, c.Op, c.Key})
	}
	want := []row{
		{"framework", Changed, "version"},
		{"competencies", Added, "writing"},
		{"tracks", Reordered, "tracks"},
		{"roles", Changed, "support-engineer"},
		{"expectations", Removed, "support-engineer/communication"},
		{"expectations", Changed, "senior-support-engineer/troubleshooting"},
		{"transitions", Changed, "senior-support-engineer->support-manager"},
		{"resources", Removed, "debugging-book"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	exp := d.Changes[5].Fields
	if len(exp) != 3 || exp[0] != (FieldChange{"level", "3", "2"}) || exp[1].Field != "text" || exp[2] != (FieldChange{"markers", `["Fixed a customer-facing bug and shipped it","Wrote a runbook: used by the team since"]`, ""}) {
		t.Errorf("expectation fields = %+v", exp)
	}
	if f := d.Changes[6].Fields; len(f) != 1 || f[0] != (FieldChange{"kind", "lateral", "business-need"}) {
		t.Errorf("transition fields = %+v", f)
	}
	if d.Changes[1].After.(trellis.Competency).Name != "Writing" || d.Changes[7].Before.(trellis.Resource).ID != "debugging-book" {
		t.Error("added/removed items do not carry the item")
	}

	text := d.Text()
	for _, s := range []string{
		"support@2026.2 -> support@2026.3: 8 changes\n",
		"framework:\n  ~ version\n      version: \"2026.2\" -> \"2026.3\"\n",
		"competencies:\n  + writing \"Writing\"\n",
		"tracks:\n  ~ order: management, ic\n",
		"roles:\n  ~ support-engineer\n      name: \"Support Engineer\" -> \"Support Engineer I\"\n",
		"  - support-engineer/communication\n",
		"      markers: \"[\\\"Fixed a customer-facing bug and shipped it\\\",\\\"Wrote a ru...\" -> (none)\n",
		"resources:\n  - debugging-book \"Debugging: the nine indispensable rules\"\n",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}

	// JSON for the web UI and the API.
	j, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		From, To string
		Changes  []struct {
			Section, Op, Key string
			Fields           []FieldChange
			After            map[string]any
		}
	}
	if err := json.Unmarshal(j, &back); err != nil || back.To != "support@2026.3" || back.Changes[1].After["id"] != "writing" || back.Changes[0].Fields[0].After != "2026.3" {
		t.Errorf("json = %s, %v", j, err)
	}
}

func TestDiffAddedRoleAndNil(t *testing.T) {
	a := readFile(t, "testdata/tiny.json", ReadOptions{})
	d := Diff(nil, a)
	if d.Empty() {
		t.Fatal("diff from nothing is empty")
	}
	// Expectations of a new role are part of the role, not listed again.
	for _, c := range d.Changes {
		if c.Section == "expectations" {
			t.Errorf("expectation listed for an added role: %+v", c)
		}
	}
	var empty *Changes
	if !empty.Empty() {
		t.Error("nil Changes is not empty")
	}
}
