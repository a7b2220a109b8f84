package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"trellis"
)

// PersonService stores people and their reporting lines. It implements
// trellis.PersonService. Every change of role, manager, access or active
// state is written to the audit log in the transaction that makes it.
type PersonService struct {
	db *DB
}

var _ trellis.PersonService = (*PersonService)(nil)

// NewPersonService returns a PersonService over db.
func NewPersonService(db *DB) *PersonService {
	return &PersonService{db: db}
}

// maxChainDepth bounds how far ManagerChain climbs. Real organisations are a
// dozen levels deep at most; the bound only keeps a damaged table (a loop
// written behind the service's back) from running away.
const maxChainDepth = 100

// dateFormat is the stored form of a date such as role_since.
const dateFormat = "2006-01-02"

const personColumns = `p.id, p.email, p.name, p.role_id, p.manager_id, p.role_since, p.access, p.active,
	p.created_at, p.updated_at, p.version`

type rowScanner interface {
	Scan(dest ...any) error
}

func scanPerson(r rowScanner) (*trellis.Person, error) {
	p := &trellis.Person{Teams: []string{}, Regions: []string{}}
	var manager sql.NullInt64
	var since sql.NullString
	if err := r.Scan(&p.ID, &p.Email, &p.Name, &p.RoleID, &manager, &since, &p.Access, &p.Active,
		scanTime(&p.CreatedAt), scanTime(&p.UpdatedAt), &p.Version); err != nil {
		return nil, err
	}
	if manager.Valid {
		p.ManagerID = &manager.Int64
	}
	if since.Valid && since.String != "" {
		d, err := time.Parse(dateFormat, since.String)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: person %d: role_since %q: %w", p.ID, since.String, err)
		}
		p.RoleSince = d
	}
	return p, nil
}

// queryPeople runs a query selecting personColumns and returns the people
// with their tags.
func queryPeople(ctx context.Context, tx *Tx, query string, args ...any) ([]*trellis.Person, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	list := []*trellis.Person{}
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadTags(ctx, tx, list); err != nil {
		return nil, err
	}
	return list, nil
}

// findPerson reads one person with tags; sql.ErrNoRows if there is none.
// lock holds the row until the transaction ends.
func findPerson(ctx context.Context, tx *Tx, id int64, lock bool) (*trellis.Person, error) {
	q := `SELECT ` + personColumns + ` FROM people p WHERE p.id = $1`
	if lock {
		q += tx.forUpdate()
	}
	p, err := scanPerson(tx.QueryRowContext(ctx, q, id))
	if err != nil {
		return nil, err
	}
	return p, loadTags(ctx, tx, []*trellis.Person{p})
}

// loadPersonTags fills in the teams and regions of one person: one query
// whose text does not change, so it stays prepared.
func loadPersonTags(ctx context.Context, tx *Tx, p *trellis.Person) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT kind, tag FROM person_tags WHERE person_id = $1 ORDER BY kind, position`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, tag string
		if err := rows.Scan(&kind, &tag); err != nil {
			return err
		}
		if kind == "team" {
			p.Teams = append(p.Teams, tag)
		} else {
			p.Regions = append(p.Regions, tag)
		}
	}
	return rows.Err()
}

// tagChunk bounds the ids in one IN list.
const tagChunk = 500

// loadTags fills in the teams and regions of people, in their stored order.
func loadTags(ctx context.Context, tx *Tx, people []*trellis.Person) error {
	if len(people) == 1 {
		return loadPersonTags(ctx, tx, people[0])
	}
	byID := make(map[int64]*trellis.Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	for chunk := range slices.Chunk(people, tagChunk) {
		var a args
		ids := make([]any, len(chunk))
		for i, p := range chunk {
			ids[i] = p.ID
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT person_id, kind, tag FROM person_tags WHERE person_id IN (`+a.placeholders(ids...)+`)
			ORDER BY person_id, kind, position`, a...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var kind, tag string
			if err := rows.Scan(&id, &kind, &tag); err != nil {
				rows.Close()
				return err
			}
			if p := byID[id]; p != nil && kind == "team" {
				p.Teams = append(p.Teams, tag)
			} else if p != nil {
				p.Regions = append(p.Regions, tag)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// writeTags replaces the person's tags.
func writeTags(ctx context.Context, tx *Tx, p *trellis.Person) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_tags WHERE person_id = $1`, p.ID); err != nil {
		return err
	}
	for _, set := range []struct {
		kind string
		tags []string
	}{{"team", p.Teams}, {"region", p.Regions}} {
		for i, tag := range set.tags {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO person_tags (person_id, kind, position, tag, tag_key) VALUES ($1, $2, $3, $4, $5)`,
				p.ID, set.kind, i, tag, strings.ToLower(tag)); err != nil {
				return err
			}
		}
	}
	return nil
}

// nameKey is the stored sort and search key of a name.
func nameKey(name string) string { return strings.ToLower(name) }

// roleSince is the stored form of a person's date in role: NULL when unknown.
func roleSince(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(dateFormat)
}

// normalizeDate keeps the date of t as UTC midnight, as it will read back.
func normalizeDate(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func insertPerson(ctx context.Context, tx *Tx, p *trellis.Person) error {
	p.CreatedAt, p.UpdatedAt, p.Version = tx.now, tx.now, 1
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO people (email, name, name_key, role_id, manager_id, role_since, access, active, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		p.Email, p.Name, nameKey(p.Name), p.RoleID, p.ManagerID, roleSince(p.RoleSince), p.Access, p.Active,
		formatTime(tx.now), formatTime(tx.now), p.Version).Scan(&p.ID); err != nil {
		return err
	}
	return writeTags(ctx, tx, p)
}

// savePerson writes p over the stored row if that is still at version
// expected, bumping the version; tags are rewritten when tagsChanged.
func savePerson(ctx context.Context, tx *Tx, p *trellis.Person, expected int, tagsChanged bool) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE people SET email = $2, name = $3, name_key = $4, role_id = $5, manager_id = $6, role_since = $7,
			access = $8, active = $9, updated_at = $10, version = version + 1
		WHERE id = $1 AND version = $11`,
		p.ID, p.Email, p.Name, nameKey(p.Name), p.RoleID, p.ManagerID, roleSince(p.RoleSince),
		p.Access, p.Active, formatTime(tx.now), expected)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return staleVersion(p.ID, expected)
	}
	p.UpdatedAt, p.Version = tx.now, expected+1
	if tagsChanged {
		return writeTags(ctx, tx, p)
	}
	return nil
}

func staleVersion(id int64, expected int) error {
	return trellis.Errorf(trellis.ECONFLICT,
		"Person %d was changed by someone else meanwhile (you edited version %d). Reload the page to see the change, then make yours again.",
		id, expected)
}

func personNotFound(id int64) error {
	return trellis.Errorf(trellis.ENOTFOUND, "There is no person with id %d.", id)
}

// FindPerson returns the person with the id.
func (s *PersonService) FindPerson(ctx context.Context, id int64) (*trellis.Person, error) {
	var p *trellis.Person
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		p, err = findPerson(ctx, tx, id, false)
		if errors.Is(err, sql.ErrNoRows) {
			return personNotFound(id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// FindPersonByEmail looks the address up in its normalised form.
func (s *PersonService) FindPersonByEmail(ctx context.Context, email string) (*trellis.Person, error) {
	email = trellis.NormalizeEmail(email)
	var p *trellis.Person
	err := s.db.view(ctx, func(tx *Tx) error {
		list, err := queryPeople(ctx, tx, `SELECT `+personColumns+` FROM people p WHERE p.email = $1`, email)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return trellis.Errorf(trellis.ENOTFOUND, "There is no person with email %s.", email)
		}
		p = list[0]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ListPeople returns one page of the directory, ordered by name
// (case-insensitively) then id. The cursor holds the last name and id seen,
// so pages neither repeat nor skip anyone while people are added.
func (s *PersonService) ListPeople(ctx context.Context, f trellis.PersonFilter) (trellis.PersonPage, error) {
	var a args
	var where []string
	if !f.IncludeInactive {
		where = append(where, "p.active")
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		pat := a.add(likeContains(q))
		where = append(where, `(p.name_key LIKE `+pat+` ESCAPE '\' OR p.email LIKE `+pat+` ESCAPE '\')`)
	}
	for _, t := range []struct{ kind, tag string }{{"team", f.Team}, {"region", f.Region}} {
		if tag := strings.ToLower(strings.TrimSpace(t.tag)); tag != "" {
			where = append(where, `EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.kind = `+
				a.add(t.kind)+` AND t.tag_key = `+a.add(tag)+`)`)
		}
	}
	if f.RoleID != "" {
		where = append(where, "p.role_id = "+a.add(strings.TrimSpace(f.RoleID)))
	}
	if f.ManagerID != nil {
		where = append(where, "p.manager_id = "+a.add(*f.ManagerID))
	}
	if f.Cursor != "" {
		var key string
		var id int64
		if err := decodeCursor(f.Cursor, &key, &id); err != nil {
			return trellis.PersonPage{}, err
		}
		where = append(where, "(p.name_key, p.id) > ("+a.add(key)+", "+a.add(id)+")")
	}
	limit := trellis.ClampLimit(f.Limit)
	query := `SELECT ` + personColumns + ` FROM people p`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY p.name_key, p.id LIMIT " + a.add(limit+1)

	var page trellis.PersonPage
	err := s.db.view(ctx, func(tx *Tx) error {
		list, err := queryPeople(ctx, tx, query, a...)
		page.Items = list
		return err
	})
	if err != nil {
		return trellis.PersonPage{}, err
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		last := page.Items[limit-1]
		page.NextCursor = encodeCursor(nameKey(last.Name), last.ID)
	}
	return page, nil
}

// CreatePerson validates p, checks its role against the active frameworks
// and its manager, stores it and sets ID, Version and timestamps. A taken
// email is ECONFLICT.
func (s *PersonService) CreatePerson(ctx context.Context, p *trellis.Person) error {
	if p == nil {
		return trellis.Errorf(trellis.EINVALID, "no person to create")
	}
	c := clonePerson(p)
	c.ID = 0
	c.Normalize()
	c.RoleSince = normalizeDate(c.RoleSince)
	if err := c.Validate(); err != nil {
		return err
	}
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := checkRole(ctx, tx, c.RoleID, ""); err != nil {
			return err
		}
		if err := checkEmailFree(ctx, tx, c.Email, 0); err != nil {
			return err
		}
		if c.ManagerID != nil {
			if err := checkManager(ctx, tx, *c.ManagerID); err != nil {
				return err
			}
		}
		if err := insertPerson(ctx, tx, c); err != nil {
			return err
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditPersonCreated, trellis.AuditTargetPerson,
			personTarget(c.ID), nil, personFields(c)))
	})
	if err != nil {
		return err
	}
	*p = *c
	return nil
}

// UpdatePerson applies upd if the person is still at expectedVersion.
func (s *PersonService) UpdatePerson(ctx context.Context, id int64, upd trellis.PersonUpdate, expectedVersion int) (*trellis.Person, error) {
	if upd.ClearManager && upd.ManagerID != nil {
		return nil, &trellis.Error{Code: trellis.EINVALID, Message: "Either set a manager or clear it, not both.",
			Details: []trellis.FieldError{{Field: "manager_id", Message: "set a manager or clear it, not both"}}}
	}
	var out *trellis.Person
	err := s.db.update(ctx, func(tx *Tx) error {
		var err error
		out, err = updatePerson(ctx, tx, id, upd, expectedVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updatePerson is UpdatePerson inside tx, for other services whose change
// includes one of a person (a promotion taking effect changes the role):
// the same checks, the same audit events, in the caller's transaction.
func updatePerson(ctx context.Context, tx *Tx, id int64, upd trellis.PersonUpdate, expectedVersion int) (*trellis.Person, error) {
	managerChange := upd.ClearManager || upd.ManagerID != nil
	if managerChange {
		// Before any row lock, so that imports and updates queue in one order.
		if err := lockReportingLines(ctx, tx); err != nil {
			return nil, err
		}
	}
	before, err := findPerson(ctx, tx, id, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, personNotFound(id)
	} else if err != nil {
		return nil, err
	}
	if before.Version != expectedVersion {
		return nil, staleVersion(id, expectedVersion)
	}
	after := clonePerson(before)
	upd.Apply(after)
	after.RoleSince = normalizeDate(after.RoleSince)
	if err := after.Validate(); err != nil {
		return nil, err
	}
	if after.RoleID != before.RoleID {
		if err := checkRole(ctx, tx, after.RoleID, ""); err != nil {
			return nil, err
		}
	}
	if after.Email != before.Email {
		if err := checkEmailFree(ctx, tx, after.Email, id); err != nil {
			return nil, err
		}
	}
	if !sameManager(before.ManagerID, after.ManagerID) && after.ManagerID != nil {
		if err := checkManager(ctx, tx, *after.ManagerID); err != nil {
			return nil, err
		}
		chain, err := managerChainIDs(ctx, tx, *after.ManagerID)
		if err != nil {
			return nil, err
		}
		if err := trellis.ValidateManager(id, after.ManagerID, chain); err != nil {
			return nil, err
		}
	}
	events := personChangeEvents(ctx, before, after)
	if len(events) == 0 {
		return before, nil // nothing changed: nothing written, version kept
	}
	tagsChanged := !slices.Equal(before.Teams, after.Teams) || !slices.Equal(before.Regions, after.Regions)
	if err := savePerson(ctx, tx, after, expectedVersion, tagsChanged); err != nil {
		return nil, err
	}
	for _, e := range events {
		if err := recordAudit(ctx, tx, e); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// ListReports returns the active direct reports of a manager, by name.
func (s *PersonService) ListReports(ctx context.Context, managerID int64) ([]*trellis.Person, error) {
	var list []*trellis.Person
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, managerID); err != nil {
			return err
		}
		var err error
		list, err = queryPeople(ctx, tx, `SELECT `+personColumns+` FROM people p
			WHERE p.manager_id = $1 AND p.active ORDER BY p.name_key, p.id`, managerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// ManagerChain returns the person's managers from the direct manager up to
// the top of the organisation (at most maxChainDepth of them).
func (s *PersonService) ManagerChain(ctx context.Context, personID int64) ([]*trellis.Person, error) {
	var list []*trellis.Person
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		var err error
		// LEFT JOIN keeps the chain (a few rows) as the outer loop: with an
		// inner join SQLite 3.54 scans every person and probes the chain,
		// 1.4 ms instead of 0.1 ms on 10,000 people, on every request that
		// checks a manager's rights. Every chain id is a person (foreign key).
		list, err = queryPeople(ctx, tx, chainCTE+`
			SELECT `+personColumns+` FROM chain c LEFT JOIN people p ON p.id = c.id ORDER BY c.depth`,
			personID, maxChainDepth)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// FindActor returns the person with id as an actor: the person with their
// tags, whether anyone active reports to them and the ids of their managers,
// nearest first (empty, not nil, at the top). It reads all of it in one
// read transaction, once per request. An unknown person is ENOTFOUND.
func (s *PersonService) FindActor(ctx context.Context, id int64) (trellis.Actor, error) {
	var a trellis.Actor
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		a, err = findActor(ctx, tx, id)
		return err
	})
	if err != nil {
		return trellis.Actor{}, err
	}
	return a, nil
}

// findActor is FindActor inside tx.
func findActor(ctx context.Context, tx *Tx, id int64) (trellis.Actor, error) {
	var a trellis.Actor
	row := tx.QueryRowContext(ctx, `SELECT `+personColumns+`,
		EXISTS (SELECT 1 FROM people r WHERE r.manager_id = p.id AND r.active)
		FROM people p WHERE p.id = $1`, id)
	p, err := scanPerson(extraColumns{row, []any{&a.HasReports}})
	if errors.Is(err, sql.ErrNoRows) {
		return trellis.Actor{}, personNotFound(id)
	} else if err != nil {
		return trellis.Actor{}, err
	}
	if err := loadPersonTags(ctx, tx, p); err != nil {
		return trellis.Actor{}, err
	}
	a.Person = p
	if p.ManagerID == nil {
		a.Chain = []int64{}
		return a, nil
	}
	if a.Chain, err = managerChainIDs(ctx, tx, id); err != nil {
		return trellis.Actor{}, err
	}
	if a.Chain == nil {
		a.Chain = []int64{}
	}
	return a, nil
}

// extraColumns scans the person's columns followed by more.
type extraColumns struct {
	r    rowScanner
	more []any
}

func (e extraColumns) Scan(dest ...any) error {
	return e.r.Scan(append(dest, e.more...)...)
}

// HasReports reports whether anyone active reports to the person.
func (s *PersonService) HasReports(ctx context.Context, personID int64) (bool, error) {
	var has bool
	err := s.db.view(ctx, func(tx *Tx) error {
		if err := personExists(ctx, tx, personID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `
			SELECT EXISTS (SELECT 1 FROM people WHERE manager_id = $1 AND active)`, personID).Scan(&has)
	})
	return has, err
}

// chainCTE walks up from person $1 to at most $2 managers: chain(id, depth),
// the direct manager at depth 1. The same text runs on SQLite and PostgreSQL.
const chainCTE = `
	WITH RECURSIVE chain (id, depth) AS (
		SELECT manager_id, 1 FROM people WHERE id = $1 AND manager_id IS NOT NULL
		UNION ALL
		SELECT p.manager_id, c.depth + 1 FROM chain c JOIN people p ON p.id = c.id
		WHERE p.manager_id IS NOT NULL AND c.depth < $2
	)`

// managerChainIDs returns the ids of the person's managers, nearest first.
func managerChainIDs(ctx context.Context, tx *Tx, personID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, chainCTE+` SELECT id FROM chain ORDER BY depth`, personID, maxChainDepth)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func personExists(ctx context.Context, tx *Tx, id int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM people WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return personNotFound(id)
	}
	return err
}

// lockReportingLines serialises the transactions that change managers, so
// that two of them cannot each close half of a loop. SQLite already holds
// the database's write lock; PostgreSQL takes a transaction advisory lock.
func lockReportingLines(ctx context.Context, tx *Tx) error {
	if tx.db.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryReportingLines)
	return err
}

// advisoryReportingLines is the PostgreSQL advisory lock key of the
// reporting lines ("trellis" in ASCII, then 1).
const advisoryReportingLines int64 = 0x7472656c6c697301

// checkEmailFree refuses an address another person (not self) already has.
func checkEmailFree(ctx context.Context, tx *Tx, email string, self int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, email).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	case id != self:
		return &trellis.Error{Code: trellis.ECONFLICT, Message: fmt.Sprintf("Someone else already has the email %s.", email),
			Details: []trellis.FieldError{{Field: "email", Message: fmt.Sprintf("%s is taken by person %d", email, id)}}}
	}
	return nil
}

// checkManager refuses a manager who does not exist or has left.
func checkManager(ctx context.Context, tx *Tx, id int64) error {
	var active bool
	err := tx.QueryRowContext(ctx, `SELECT active FROM people WHERE id = $1`, id).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("The manager %d does not exist.", id),
			Details: []trellis.FieldError{{Field: "manager_id", Message: fmt.Sprintf("there is no person with id %d", id)}}}
	} else if err != nil {
		return err
	}
	if !active {
		return &trellis.Error{Code: trellis.EINVALID, Message: fmt.Sprintf("The manager %d has left the organisation.", id),
			Details: []trellis.FieldError{{Field: "manager_id", Message: fmt.Sprintf("person %d has left and cannot manage anyone", id)}}}
	}
	return nil
}

// checkRole refuses a role that no active framework defines. field prefixes
// the detail's field (an import names the row).
func checkRole(ctx context.Context, tx *Tx, roleID, field string) error {
	roles, err := activeRoles(ctx, tx)
	if err != nil {
		return err
	}
	if msg := roleProblem(roleID, roles); msg != "" {
		return &trellis.Error{Code: trellis.EINVALID, Message: "The role is not in the active framework.",
			Details: []trellis.FieldError{{Field: field + "role_id", Message: msg}}}
	}
	return nil
}

// roleProblem says why roleID is not one of roles, or "".
func roleProblem(roleID string, roles []string) string {
	switch {
	case len(roles) == 0:
		return "no framework is active yet: import one before adding people"
	case slices.Contains(roles, roleID):
		return ""
	}
	msg := fmt.Sprintf("role %q is not a role of the active framework", roleID)
	if s := trellis.Suggest(roleID, roles); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// roleCache holds the role ids of framework versions by content hash: a
// stored version never changes, so the cache is right on every node.
var roleCache struct {
	sync.Mutex
	byHash map[string][]string
}

// activeRoles returns the role ids of every active framework version, sorted.
func activeRoles(ctx context.Context, tx *Tx) ([]string, error) {
	type version struct{ id, version, hash string }
	rows, err := tx.QueryContext(ctx, `
		SELECT v.framework_id, v.version, v.hash FROM framework_versions v
		JOIN frameworks f ON f.id = v.framework_id AND f.active_version = v.version`)
	if err != nil {
		return nil, err
	}
	var versions []version
	for rows.Next() {
		var v version
		if err := rows.Scan(&v.id, &v.version, &v.hash); err != nil {
			rows.Close()
			return nil, err
		}
		versions = append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var roles []string
	for _, v := range versions {
		roleCache.Lock()
		ids, ok := roleCache.byHash[v.hash]
		roleCache.Unlock()
		if !ok {
			var content string
			if err := tx.QueryRowContext(ctx, `SELECT content FROM framework_versions WHERE framework_id = $1 AND version = $2`,
				v.id, v.version).Scan(&content); err != nil {
				return nil, err
			}
			var fw struct {
				Roles []struct {
					ID string `json:"id"`
				} `json:"roles"`
			}
			if err := json.Unmarshal([]byte(content), &fw); err != nil {
				return nil, fmt.Errorf("sqlstore: decoding framework %s@%s: %w", v.id, v.version, err)
			}
			for _, r := range fw.Roles {
				ids = append(ids, r.ID)
			}
			roleCache.Lock()
			if roleCache.byHash == nil {
				roleCache.byHash = map[string][]string{}
			}
			roleCache.byHash[v.hash] = ids
			roleCache.Unlock()
		}
		roles = append(roles, ids...)
	}
	slices.Sort(roles)
	return slices.Compact(roles), nil
}

func clonePerson(p *trellis.Person) *trellis.Person {
	c := *p
	c.Teams = slices.Clone(p.Teams)
	c.Regions = slices.Clone(p.Regions)
	if c.Teams == nil {
		c.Teams = []string{}
	}
	if c.Regions == nil {
		c.Regions = []string{}
	}
	if p.ManagerID != nil {
		m := *p.ManagerID
		c.ManagerID = &m
	}
	return &c
}

func sameManager(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// personFields is the audit form of a new person.
func personFields(p *trellis.Person) map[string]any {
	return map[string]any{
		"email": p.Email, "name": p.Name, "role_id": p.RoleID, "manager_id": managerField(p.ManagerID),
		"access": p.Access, "active": p.Active, "teams": p.Teams, "regions": p.Regions,
		"role_since": roleSince(p.RoleSince),
	}
}

func managerField(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// personChangeEvents describes the change from before to after as audit
// events: one for each of role, manager, access and active state, and one
// for the profile basics (email, name, tags, date in role). No change, no
// events.
func personChangeEvents(ctx context.Context, before, after *trellis.Person) []*trellis.AuditEvent {
	target := personTarget(after.ID)
	var events []*trellis.AuditEvent
	add := func(action string, b, a map[string]any) {
		events = append(events, newAuditEvent(ctx, action, trellis.AuditTargetPerson, target, b, a))
	}
	if before.RoleID != after.RoleID {
		add(trellis.AuditRoleChanged,
			map[string]any{"role_id": before.RoleID, "role_since": roleSince(before.RoleSince)},
			map[string]any{"role_id": after.RoleID, "role_since": roleSince(after.RoleSince)})
	}
	if !sameManager(before.ManagerID, after.ManagerID) {
		add(trellis.AuditManagerChanged,
			map[string]any{"manager_id": managerField(before.ManagerID)},
			map[string]any{"manager_id": managerField(after.ManagerID)})
	}
	if before.Access != after.Access {
		add(trellis.AuditAccessChanged, map[string]any{"access": before.Access}, map[string]any{"access": after.Access})
	}
	if before.Active != after.Active {
		action := trellis.AuditPersonDeactivated
		if after.Active {
			action = trellis.AuditPersonReactivated
		}
		add(action, map[string]any{"active": before.Active}, map[string]any{"active": after.Active})
	}
	b, a := map[string]any{}, map[string]any{}
	diff := func(name string, x, y any, changed bool) {
		if changed {
			b[name], a[name] = x, y
		}
	}
	diff("email", before.Email, after.Email, before.Email != after.Email)
	diff("name", before.Name, after.Name, before.Name != after.Name)
	diff("teams", before.Teams, after.Teams, !slices.Equal(before.Teams, after.Teams))
	diff("regions", before.Regions, after.Regions, !slices.Equal(before.Regions, after.Regions))
	diff("role_since", roleSince(before.RoleSince), roleSince(after.RoleSince),
		!before.RoleSince.Equal(after.RoleSince) && before.RoleID == after.RoleID)
	if len(a) > 0 {
		add(trellis.AuditPersonUpdated, b, a)
	}
	return events
}
