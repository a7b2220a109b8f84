package forge

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"trellis"
	"trellis/suggest"
)

// The activity kinds of the default framework items map to. A framework
// without one of these ids is matched by the words of its activities'
// names; failing that, the item has no activity.
const (
	ActivityFeature       = "feature-contribution"
	ActivityBugFix        = "bug-fix"
	ActivityDocumentation = "documentation-contribution"
	ActivityProcess       = "process-improvement"
)

// activityWords are words of activity names that stand for each kind, for
// frameworks with ids of their own.
var activityWords = map[string][]string{
	ActivityFeature:       {"feature"},
	ActivityBugFix:        {"bug", "fix"},
	ActivityDocumentation: {"documentation", "docs"},
	ActivityProcess:       {"workflow", "process"},
}

// Words of labels and titles that decide the kind. Matching is on whole
// words, case-insensitive.
var (
	bugWords     = []string{"bug", "bugs", "bugfix", "fix", "fixes", "fixed", "fixing", "hotfix", "regression", "crash", "defect", "broken", "incident"}
	docWords     = []string{"docs", "doc", "documentation", "readme", "runbook", "guide", "typo"}
	processWords = []string{"workflow", "process", "ci", "pipeline", "automation", "automate", "tooling", "template", "templates", "chore", "ops", "macro", "triage", "improvement", "improve"}
)

// classify picks the activity kind of an item and says why.
func classify(it *Item) (kind, reason string) {
	labels := make([]string, len(it.Labels))
	for i, l := range it.Labels {
		labels[i] = strings.ToLower(l)
	}
	if label, ok := matchLabel(labels, docWords); ok {
		return ActivityDocumentation, "label " + label
	}
	if it.Type != Issue {
		if n, docs := docsShare(it.paths); n > 0 && docs*2 > n {
			return ActivityDocumentation, "changes documentation paths (" + plural(docs, "file") + " of " + plural(n, "file") + ")"
		}
	}
	if label, ok := matchLabel(labels, bugWords); ok {
		return ActivityBugFix, "label " + label
	}
	title := words(it.Title)
	if w, ok := firstWord(title, bugWords); ok {
		return ActivityBugFix, "title says " + w
	}
	if it.Type == Issue {
		if w, ok := firstWord(title, docWords); ok {
			return ActivityDocumentation, "title says " + w
		}
		return ActivityProcess, "a closed issue without bug labels"
	}
	if w, ok := firstWord(title, docWords); ok && len(it.paths) == 0 {
		return ActivityDocumentation, "title says " + w
	}
	if label, ok := matchLabel(labels, processWords); ok {
		return ActivityProcess, "label " + label
	}
	if len(title) > 0 && slices.Contains([]string{"ci", "chore", "build"}, title[0]) {
		return ActivityProcess, "title starts with " + title[0]
	}
	if it.Type == MergeRequest {
		return ActivityFeature, "a merged merge request"
	}
	return ActivityFeature, "a merged pull request"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func matchLabel(labels, vocabulary []string) (string, bool) {
	for _, l := range labels {
		for _, w := range words(l) {
			if slices.Contains(vocabulary, w) {
				return l, true
			}
		}
	}
	return "", false
}

func firstWord(ws, vocabulary []string) (string, bool) {
	for _, w := range ws {
		if slices.Contains(vocabulary, w) {
			return w, true
		}
	}
	return "", false
}

// words splits text into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// IsDocsPath reports whether a changed file is documentation: under a
// docs/ or doc/ directory (anywhere in the tree), or a Markdown,
// reStructuredText, AsciiDoc or plain-text file.
func IsDocsPath(p string) bool {
	p = strings.ToLower(p)
	for _, dir := range strings.Split(path.Dir(p), "/") {
		if dir == "docs" || dir == "doc" || dir == "documentation" || dir == "wiki" {
			return true
		}
	}
	switch path.Ext(p) {
	case ".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".txt":
		return true
	}
	return strings.HasPrefix(path.Base(p), "readme")
}

func docsShare(paths []string) (n, docs int) {
	for _, p := range paths {
		n++
		if IsDocsPath(p) {
			docs++
		}
	}
	return n, docs
}

// activityIn returns the id of kind in fw: kind itself when fw has it, else
// the first activity whose name has one of kind's words, else "".
func activityIn(fw *trellis.Framework, kind string) string {
	if fw == nil {
		return ""
	}
	if a, ok := fw.Activity(kind); ok {
		return a.ID
	}
	for _, a := range fw.Activities {
		if _, ok := firstWord(words(a.Name), activityWords[kind]); ok {
			return a.ID
		}
	}
	return ""
}

// SuggestionCount is how many competencies are suggested per item.
const SuggestionCount = 5

// Map sets an item's activity kind in fw and its suggested competencies.
// ix is fw's suggestion index (suggest.New(fw)); nil builds one.
func Map(fw *trellis.Framework, ix *suggest.Index, it *Item) {
	kind, reason := classify(it)
	it.Activity, it.ActivityReason = activityIn(fw, kind), reason
	if fw == nil {
		it.Suggestions = []suggest.Suggestion{}
		return
	}
	if ix == nil {
		ix = suggest.New(fw)
	}
	text := strings.Join([]string{it.Title, it.Description, strings.Join(it.Labels, " ")}, "\n")
	it.Suggestions = ix.Suggest(text, it.Activity, SuggestionCount)
	if it.Suggestions == nil {
		it.Suggestions = []suggest.Suggestion{}
	}
}
