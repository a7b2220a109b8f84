package web

import (
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
)

func TestCheckCacheFollowsContent(t *testing.T) {
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	p := &trellis.Person{ID: 1, Name: "Eli Engineer", RoleID: "support-engineer"}
	d, err := trellis.NewDocument(fw, fw.Version, p, "senior-support-engineer", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := fw.TemplateFor("senior-support-engineer")
	d.Sections[0].Text = "I did this myself."
	var c checkCache
	first := c.findings(d, fw, tpl)
	again := c.findings(d, fw, tpl)
	if len(first) == 0 || len(again) != len(first) || &again[0] != &first[0] {
		t.Fatalf("unchanged content was checked again or differs: %d then %d findings", len(first), len(again))
	}
	d.Sections[0].Text = "Eli did this alone."
	changed := c.findings(d, fw, tpl)
	if len(changed) == len(first) {
		t.Errorf("a changed section kept the old findings (%d)", len(changed))
	}
}
