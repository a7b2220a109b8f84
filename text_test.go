package trellis

import "testing"

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"technicalSkills", "technical-skills"},
		{"Senior Analyst", "senior-analyst"},
		{"Backend Engineer 💻", "backend-engineer"},
		{"HTTPServer", "http-server"},
		{"Équipe café", "equipe-cafe"},
		{"level2Skills", "level2-skills"},
		{"  --A--b--  ", "a-b"},
		{"💻", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := Slug("a very long name that goes on and on well beyond the sixty four characters allowed")
	if len(long) > MaxIDLength || !ValidID(long) {
		t.Errorf("long slug %q is not a valid id", long)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"apiVersion", "kind", "id", "name", "version", "description", "troubleshooting"}
	tests := []struct{ in, want string }{
		{"nmae", "name"},                      // swapped letters
		{"trubleshooting", "troubleshooting"}, // a letter missing
		{"desciption", "description"},         // a letter missing
		{"apiversion", "apiVersion"},          // case
		{"colour", ""},                        // nothing close
		{"x", ""},                             // too short to guess
		{"versoin", "version"},
	}
	for _, tt := range tests {
		if got := Suggest(tt.in, keys); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Suggest("a", nil); got != "" {
		t.Errorf("Suggest without candidates = %q", got)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"nmae", "name", 1}, {"ab", "ba", 1}, {"café", "cafe", 1},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
