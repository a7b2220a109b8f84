package trellis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// APIVersion and FrameworkKind are the exact header values of a native
// framework file.
const (
	APIVersion    = "trellis/v1"
	FrameworkKind = "Framework"
)

// Transition kinds: how a person moves along an edge of the career graph.
const (
	KindMerit        = "merit"
	KindBusinessNeed = "business-need"
	KindInterim      = "interim"
	KindActing       = "acting"
	KindTransfer     = "transfer"
	KindLateral      = "lateral"
)

// TransitionKinds lists the valid transition kinds in display order.
var TransitionKinds = []string{KindMerit, KindBusinessNeed, KindInterim, KindActing, KindTransfer, KindLateral}

// ResourceKinds lists the valid resource kinds.
var ResourceKinds = []string{"read", "watch", "listen", "meet", "do", "template"}

// SectionAuthors lists who may write a promotion-document section.
var SectionAuthors = []string{"candidate", "manager", "feedback"}

// Framework is a career framework: the matrix of competencies with what each
// role shows, the graph of moves between roles, and the material that helps
// people grow. Field names and order follow the trellis/v1 file format.
type Framework struct {
	APIVersion   string       `json:"apiVersion" yaml:"apiVersion"`
	Kind         string       `json:"kind" yaml:"kind"`
	ID           string       `json:"id" yaml:"id"`
	Name         string       `json:"name" yaml:"name"`
	Version      string       `json:"version" yaml:"version"`
	Description  string       `json:"description,omitempty" yaml:"description,omitempty"`
	Values       []Value      `json:"values,omitempty" yaml:"values,omitempty"`
	Areas        []Area       `json:"areas" yaml:"areas"`
	Competencies []Competency `json:"competencies" yaml:"competencies"`
	Tracks       []Track      `json:"tracks" yaml:"tracks"`
	Roles        []Role       `json:"roles" yaml:"roles"`
	Transitions  []Transition `json:"transitions,omitempty" yaml:"transitions,omitempty"`
	Activities   []Activity   `json:"activities,omitempty" yaml:"activities,omitempty"`
	Resources    []Resource   `json:"resources,omitempty" yaml:"resources,omitempty"`
	Templates    []Template   `json:"templates,omitempty" yaml:"templates,omitempty"`
	// Considerations apply to any move, whatever the target role.
	Considerations []Consideration `json:"considerations,omitempty" yaml:"considerations,omitempty"`
}

// Value is a company value that a promotion document must cover.
type Value struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// Area groups competencies (Leadership, Technical, Values alignment).
type Area struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// Competency is one row of the matrix.
type Competency struct {
	ID          string  `json:"id" yaml:"id"`
	Area        string  `json:"area" yaml:"area"`
	Name        string  `json:"name" yaml:"name"`
	Description string  `json:"description,omitempty" yaml:"description,omitempty"`
	Levels      []Level `json:"levels,omitempty" yaml:"levels,omitempty"`
}

// Level is one step of a competency's optional proficiency scale.
type Level struct {
	Level       int    `json:"level" yaml:"level"`
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// Track is a ladder roles sit on (individual contributor, management).
type Track struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
}

// Role is one column of the matrix.
type Role struct {
	ID             string          `json:"id" yaml:"id"`
	Name           string          `json:"name" yaml:"name"`
	Track          string          `json:"track" yaml:"track"`
	Grade          *int            `json:"grade,omitempty" yaml:"grade,omitempty"`
	Summary        string          `json:"summary,omitempty" yaml:"summary,omitempty"`
	Destination    bool            `json:"destination,omitempty" yaml:"destination,omitempty"`
	Expectations   []Expectation   `json:"expectations,omitempty" yaml:"expectations,omitempty"`
	Considerations []Consideration `json:"considerations,omitempty" yaml:"considerations,omitempty"`
	Resources      []string        `json:"resources,omitempty" yaml:"resources,omitempty"`
}

// Expectation is what a role shows for one competency.
type Expectation struct {
	Competency string   `json:"competency" yaml:"competency"`
	Level      *int     `json:"level,omitempty" yaml:"level,omitempty"`
	Text       string   `json:"text" yaml:"text"`
	Markers    []string `json:"markers,omitempty" yaml:"markers,omitempty"`
}

// Consideration is a statement a candidate should be able to back with evidence.
type Consideration struct {
	Text         string   `json:"text" yaml:"text"`
	Competencies []string `json:"competencies,omitempty" yaml:"competencies,omitempty"`
}

// Transition is an edge of the career graph.
type Transition struct {
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
	Kind string `json:"kind" yaml:"kind"`
	Note string `json:"note,omitempty" yaml:"note,omitempty"`
}

// Activity is a kind of evidence, hinting the competencies it usually shows.
type Activity struct {
	ID           string   `json:"id" yaml:"id"`
	Name         string   `json:"name" yaml:"name"`
	Competencies []string `json:"competencies,omitempty" yaml:"competencies,omitempty"`
}

// Resource is something to read, watch, listen to, meet or do.
type Resource struct {
	ID          string `json:"id" yaml:"id"`
	Title       string `json:"title" yaml:"title"`
	Kind        string `json:"kind" yaml:"kind"`
	URL         string `json:"url,omitempty" yaml:"url,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
}

// Template is a promotion-document template for some target roles.
type Template struct {
	ID       string    `json:"id" yaml:"id"`
	Roles    []string  `json:"roles" yaml:"roles"`
	Sections []Section `json:"sections" yaml:"sections"`
}

// Section is one part of a promotion document.
type Section struct {
	ID           string   `json:"id" yaml:"id"`
	Title        string   `json:"title" yaml:"title"`
	Author       string   `json:"author" yaml:"author"`
	Guidance     string   `json:"guidance,omitempty" yaml:"guidance,omitempty"`
	Competencies []string `json:"competencies,omitempty" yaml:"competencies,omitempty"`
	MaxWords     int      `json:"max_words,omitempty" yaml:"max_words,omitempty"`
	Optional     bool     `json:"optional,omitempty" yaml:"optional,omitempty"`
}

// Ref names a framework version as ID@VERSION; an empty Version means the
// active one.
type Ref struct {
	ID      string
	Version string
}

func (r Ref) String() string {
	if r.Version == "" {
		return r.ID
	}
	return r.ID + "@" + r.Version
}

// FrameworkVersion describes one stored, immutable version of a framework.
type FrameworkVersion struct {
	ID           string    `json:"id"`
	Version      string    `json:"version"`
	Name         string    `json:"name"`
	Active       bool      `json:"active"`
	Hash         string    `json:"hash"`
	ImportedAt   time.Time `json:"imported_at"`
	Roles        int       `json:"roles"`
	Competencies int       `json:"competencies"`
}

// ImportResult says what an import did.
type ImportResult struct {
	Version   FrameworkVersion `json:"version"`
	Created   bool             `json:"created"`   // false: the same content was already stored
	Activated bool             `json:"activated"` // the import made this version active
}

// FrameworkService stores immutable framework versions and which one of each
// framework id is active.
type FrameworkService interface {
	// ImportFramework stores fw, which must be valid. The same id and version
	// with the same content is a no-op; with different content, ECONFLICT.
	// The first version of an id becomes active; activate makes it active too.
	ImportFramework(ctx context.Context, fw *Framework, activate bool) (ImportResult, error)
	// ActivateFramework makes a stored version the active one of its id.
	ActivateFramework(ctx context.Context, id, version string) error
	// FindFramework returns a stored version; an empty version means the
	// active one. ENOTFOUND names the known ids or versions.
	FindFramework(ctx context.Context, ref Ref) (*Framework, FrameworkVersion, error)
	// ListFrameworks returns every stored version, grouped by id, oldest first.
	ListFrameworks(ctx context.Context) ([]FrameworkVersion, error)
}

// Hash returns a digest of the framework's content, stable across encodings:
// two frameworks with the same hash say the same thing.
func (f *Framework) Hash() string {
	b, err := json.Marshal(f)
	if err != nil {
		// Marshal cannot fail for this type: it has no channels, funcs or cycles.
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
