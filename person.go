package trellis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Access levels: what a person may do in the product, independent of their
// job title. Being a manager is not an access level: it follows from having
// reports, so that moving someone in the org chart never needs a second edit.
const (
	AccessEngineer = "engineer" // any individual contributor; the default
	AccessDirector = "director" // calibrates and decides promotions for a department
	AccessPeople   = "people"   // people partner (HR): sees decisions, edits no content
	AccessAdmin    = "admin"    // runs the instance, the framework and the people records
)

// AccessLevels lists the valid access levels in display order.
var AccessLevels = []string{AccessEngineer, AccessDirector, AccessPeople, AccessAdmin}

// Limits on person fields. They keep pages and CSV rows sane; they are not
// meant to reject any real name or address.
const (
	MaxNameLength  = 200
	MaxEmailLength = 254 // RFC 5321 path limit
	MaxTagLength   = 64
	MaxTags        = 20
)

// Person is someone in the organisation: a row of the directory, a node of
// the org chart and, when they have a password or a single sign-on identity,
// an account.
type Person struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	// RoleID is the job role in the active framework (support-engineer...).
	RoleID    string `json:"role_id"`
	ManagerID *int64 `json:"manager_id,omitempty"`
	// RoleSince is the date the person took their current role (UTC midnight;
	// zero when unknown). Time in role is a health figure at promotion.
	RoleSince time.Time `json:"role_since,omitzero"`
	// Teams and Regions are free tags; the directory filters on them.
	Teams   []string `json:"teams"`
	Regions []string `json:"regions"`
	// Access is one of AccessLevels.
	Access string `json:"access"`
	// Active is false once the person has left: they keep their history but
	// can no longer sign in.
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version increases with every write; an update names the version it
	// read so that a stale write fails with ECONFLICT instead of losing data.
	Version int `json:"version"`
}

// NormalizeEmail returns the form under which an address is stored and
// looked up: trimmed and lower-cased. Mailbox local parts are case-sensitive
// in theory and never in practice; one person, one spelling.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// Normalize puts the person's free-text fields in their stored form: email
// normalised, name and tags trimmed, empty and repeated tags dropped (tags
// compare case-insensitively; the first spelling wins).
func (p *Person) Normalize() {
	p.Email = NormalizeEmail(p.Email)
	p.Name = strings.TrimSpace(p.Name)
	p.RoleID = strings.TrimSpace(p.RoleID)
	p.Access = strings.ToLower(strings.TrimSpace(p.Access))
	p.Teams = normalizeTags(p.Teams)
	p.Regions = normalizeTags(p.Regions)
}

func normalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		t = strings.TrimSpace(t)
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	return out
}

// Validate checks the person as it would be stored (call Normalize first).
// It reports every wrong field at once, as an EINVALID error with Details.
func (p *Person) Validate() error {
	var d []FieldError
	add := func(field, format string, args ...any) {
		d = append(d, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if msg := emailProblem(p.Email); msg != "" {
		add("email", "%s", msg)
	}
	switch {
	case p.Name == "":
		add("name", "name is required")
	case utf8.RuneCountInString(p.Name) > MaxNameLength:
		add("name", "name is longer than %d characters", MaxNameLength)
	case strings.IndexFunc(p.Name, unicode.IsControl) >= 0:
		add("name", "name may not contain control characters such as tabs or line breaks")
	}
	switch {
	case p.RoleID == "":
		add("role_id", "role is required: the id of a role in the active framework")
	case !ValidID(p.RoleID):
		add("role_id", "role %q is not a role id: lowercase letters, digits and '-', at most %d characters", p.RoleID, MaxIDLength)
	}
	if !slices.Contains(AccessLevels, p.Access) {
		add("access", "access %q is not one of %s%s", p.Access, strings.Join(AccessLevels, ", "), suggestion(p.Access, AccessLevels))
	}
	if p.ManagerID != nil && *p.ManagerID == p.ID && p.ID != 0 {
		add("manager_id", "a person cannot be their own manager")
	}
	tagProblems("teams", p.Teams, add)
	tagProblems("regions", p.Regions, add)
	if p.Version < 0 {
		add("version", "version cannot be negative")
	}
	if len(d) > 0 {
		return &Error{Code: EINVALID, Message: "The person has " + plural(len(d), "problem") + ".", Details: d}
	}
	return nil
}

func suggestion(s string, candidates []string) string {
	if g := Suggest(s, candidates); g != "" {
		return fmt.Sprintf(" (did you mean %q?)", g)
	}
	return ""
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func tagProblems(field string, tags []string, add func(field, format string, args ...any)) {
	if len(tags) > MaxTags {
		add(field, "at most %d %s are allowed", MaxTags, field)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case strings.TrimSpace(t) != t || t == "":
			add(field, "%q must be non-empty without surrounding spaces", t)
		case utf8.RuneCountInString(t) > MaxTagLength:
			add(field, "%q is longer than %d characters", t, MaxTagLength)
		case strings.ContainsAny(t, ",;\n\t"):
			add(field, "%q may not contain commas, semicolons, tabs or line breaks", t)
		case seen[strings.ToLower(t)]:
			add(field, "%q is listed twice", t)
		}
		seen[strings.ToLower(t)] = true
	}
}

// emailProblem returns what is wrong with a normalised address, or "". The
// check is about shape only (one '@', a local part, a dotted domain, no
// spaces): whether mail arrives is the mail server's business.
func emailProblem(email string) string {
	if email == "" {
		return "email is required"
	}
	if len(email) > MaxEmailLength {
		return fmt.Sprintf("email is longer than %d characters", MaxEmailLength)
	}
	if email != NormalizeEmail(email) {
		return "email must be lower case without surrounding spaces"
	}
	local, domain, ok := strings.Cut(email, "@")
	switch {
	case !ok || strings.Contains(domain, "@"):
		return fmt.Sprintf("%q is not an email address: it needs exactly one '@'", email)
	case local == "" || len(local) > 64:
		return fmt.Sprintf("%q is not an email address: the part before '@' must be 1 to 64 characters", email)
	case strings.IndexFunc(email, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`<>()[]\,;:"`, r)
	}) >= 0:
		return fmt.Sprintf("%q is not an email address: it contains a space or one of <>()[]\\,;:\"", email)
	case !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, ".."):
		return fmt.Sprintf("%q is not an email address: the domain after '@' must look like example.com", email)
	}
	return ""
}

// ValidateManager checks that making managerID the manager of personID keeps
// the reporting lines a forest. managerChain is the proposed manager's own
// chain, nearest manager first (PersonService.ManagerChain). A cycle is an
// ERULE error naming the loop, so the admin sees whom to move first.
func ValidateManager(personID int64, managerID *int64, managerChain []int64) error {
	if managerID == nil {
		return nil
	}
	if *managerID == personID {
		return Errorf(ERULE, "Person %d cannot be their own manager.", personID)
	}
	if i := slices.Index(managerChain, personID); i >= 0 {
		loop := append([]int64{personID, *managerID}, managerChain[:i+1]...)
		return Errorf(ERULE, "Making %d the manager of %d would create a reporting loop: %s.", *managerID, personID, formatChain(loop))
	}
	return nil
}

// ManagerCycles finds every reporting loop in a person -> manager map (people
// without a manager are simply absent). K is whatever identifies people at
// the call site: ids in the store, email addresses in a CSV import. Each loop
// is returned once, starting and ending at its smallest member (a -> b -> a),
// and loops are ordered by that member, so the result is deterministic.
func ManagerCycles[K cmp.Ordered](managers map[K]K) [][]K {
	keys := make([]K, 0, len(managers))
	for k := range managers {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[K]int, len(managers))
	var cycles [][]K
	for _, start := range keys {
		if state[start] != unseen {
			continue
		}
		// Follow the single outgoing edge until we reach someone without a
		// manager, someone already finished, or someone on the current path.
		var path []K
		k := start
		for {
			if state[k] == done {
				break
			}
			if state[k] == onPath {
				i := slices.Index(path, k)
				cycles = append(cycles, rotateCycle(path[i:]))
				break
			}
			state[k] = onPath
			path = append(path, k)
			m, ok := managers[k]
			if !ok {
				break
			}
			k = m
		}
		for _, p := range path {
			state[p] = done
		}
	}
	slices.SortFunc(cycles, func(a, b []K) int { return cmp.Compare(a[0], b[0]) })
	return cycles
}

// rotateCycle turns the members of a loop into a closed chain starting at
// the smallest member.
func rotateCycle[K cmp.Ordered](loop []K) []K {
	m := 0
	for i := range loop {
		if loop[i] < loop[m] {
			m = i
		}
	}
	out := make([]K, 0, len(loop)+1)
	out = append(out, loop[m:]...)
	out = append(out, loop[:m]...)
	return append(out, loop[m])
}

// FormatCycle renders a loop from ManagerCycles as "a -> b -> a".
func FormatCycle[K any](loop []K) string {
	return formatChain(loop)
}

func formatChain[K any](chain []K) string {
	parts := make([]string, len(chain))
	for i, k := range chain {
		parts[i] = fmt.Sprint(k)
	}
	return strings.Join(parts, " -> ")
}

// PersonFilter selects people for the directory. Empty fields do not filter.
type PersonFilter struct {
	// Query matches name or email, case-insensitively.
	Query     string
	Team      string
	Region    string
	RoleID    string
	ManagerID *int64
	// IncludeInactive lists people who have left as well.
	IncludeInactive bool
	// Limit is clamped to 1..MaxListLimit; 0 means DefaultListLimit.
	Limit int
	// Cursor is the NextCursor of the previous page, opaque to callers.
	Cursor string
}

// List page sizes shared by the list endpoints.
const (
	DefaultListLimit = 50
	MaxListLimit     = 500
)

// ClampLimit returns the page size to use for a requested limit.
func ClampLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultListLimit
	case limit > MaxListLimit:
		return MaxListLimit
	}
	return limit
}

// PersonPage is one page of a directory listing, ordered by name then id.
type PersonPage struct {
	Items      []*Person `json:"items"`
	NextCursor string    `json:"next_cursor"` // "" on the last page
}

// PersonUpdate changes some fields of a person; nil fields stay as they are.
type PersonUpdate struct {
	Email     *string
	Name      *string
	RoleID    *string
	ManagerID *int64
	// ClearManager removes the manager (ManagerID must then be nil).
	ClearManager bool
	RoleSince    *time.Time
	Teams        *[]string
	Regions      *[]string
	Access       *string
	Active       *bool
}

// Apply copies the set fields onto p and normalises it. It does not bump the
// version or the timestamps: that is the store's job, inside its transaction.
func (u PersonUpdate) Apply(p *Person) {
	if u.Email != nil {
		p.Email = *u.Email
	}
	if u.Name != nil {
		p.Name = *u.Name
	}
	if u.RoleID != nil {
		p.RoleID = *u.RoleID
	}
	if u.ClearManager {
		p.ManagerID = nil
	} else if u.ManagerID != nil {
		id := *u.ManagerID
		p.ManagerID = &id
	}
	if u.RoleSince != nil {
		p.RoleSince = *u.RoleSince
	}
	if u.Teams != nil {
		p.Teams = slices.Clone(*u.Teams)
	}
	if u.Regions != nil {
		p.Regions = slices.Clone(*u.Regions)
	}
	if u.Access != nil {
		p.Access = *u.Access
	}
	if u.Active != nil {
		p.Active = *u.Active
	}
	p.Normalize()
}

// PersonImportRow is one person of a bulk import. Managers are named by
// email because the rows of one file may refer to each other before any of
// them has an id.
type PersonImportRow struct {
	Line         int // the source line, for error messages
	Person       Person
	ManagerEmail string
}

// PersonImportResult says what an import did.
type PersonImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// PersonService stores people and the reporting lines between them.
// Not-found is always an ENOTFOUND error, never a nil person.
type PersonService interface {
	// FindPerson returns the person with the id.
	FindPerson(ctx context.Context, id int64) (*Person, error)
	// FindPersonByEmail looks the address up in its normalised form.
	FindPersonByEmail(ctx context.Context, email string) (*Person, error)
	// ListPeople returns one page of the directory.
	ListPeople(ctx context.Context, f PersonFilter) (PersonPage, error)
	// CreatePerson validates p, checks that the role exists in the active
	// framework and the manager exists, stores p and sets its ID, Version
	// and timestamps. A taken email is ECONFLICT.
	CreatePerson(ctx context.Context, p *Person) error
	// UpdatePerson applies upd to the person if its version is still
	// expectedVersion (else ECONFLICT), refusing manager loops with ERULE.
	UpdatePerson(ctx context.Context, id int64, upd PersonUpdate, expectedVersion int) (*Person, error)
	// ImportPeople creates or updates (by email) every row in one
	// transaction: all rows are validated first and every problem is
	// reported as an EINVALID detail naming its line; nothing is written
	// unless all rows are good. Manager loops are refused, naming the loop.
	ImportPeople(ctx context.Context, rows []PersonImportRow) (PersonImportResult, error)
	// ListReports returns the active direct reports of a manager, by name.
	ListReports(ctx context.Context, managerID int64) ([]*Person, error)
	// ManagerChain returns the person's managers from the direct manager up
	// to the top of the organisation.
	ManagerChain(ctx context.Context, personID int64) ([]*Person, error)
	// HasReports reports whether anyone active reports to the person.
	HasReports(ctx context.Context, personID int64) (bool, error)
}
