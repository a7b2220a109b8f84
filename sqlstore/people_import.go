package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"trellis"
)

// importRow is one row of an import in its stored form.
type importRow struct {
	line    int
	person  *trellis.Person // normalised; ID set once known
	manager string          // normalised manager email, "" for none
	before  *trellis.Person // the stored person this row updates, nil when new
}

// importProblems collects the problems of an import, each naming its row.
type importProblems []trellis.FieldError

func (d *importProblems) add(line int, field, format string, args ...any) {
	*d = append(*d, trellis.FieldError{Field: fmt.Sprintf("row %d: %s", line, field), Message: fmt.Sprintf(format, args...)})
}

// err returns the EINVALID error listing every problem in row order, or nil.
func (d importProblems) err() error {
	if len(d) == 0 {
		return nil
	}
	line := func(f trellis.FieldError) int {
		var n int
		fmt.Sscanf(f.Field, "row %d:", &n)
		return n
	}
	slices.SortStableFunc(d, func(a, b trellis.FieldError) int { return cmp.Compare(line(a), line(b)) })
	rows := map[int]bool{}
	for _, f := range d {
		rows[line(f)] = true
	}
	n := len(rows)
	rowWord := "rows"
	if n == 1 {
		rowWord = "row"
	}
	probWord := "problems"
	if len(d) == 1 {
		probWord = "problem"
	}
	return &trellis.Error{Code: trellis.EINVALID,
		Message: fmt.Sprintf("The import has %d %s on %d %s; nothing was imported.", len(d), probWord, n, rowWord),
		Details: slices.Clone(d)}
}

// ImportPeople creates or updates (by email) the people of rows, all or
// nothing. Every row is checked first (fields, duplicate emails, roles of
// the active framework, managers in the file or already stored, reporting
// loops) and every problem is reported as an EINVALID detail whose field
// starts with "row N: ". An existing person gets the row's name, role,
// manager, teams, regions and (when given) date in role; their access and
// active state stay as stored, since the file carries neither. A new
// person is active, with the row's access or engineer. Rows that change
// nothing count as neither created nor updated.
func (s *PersonService) ImportPeople(ctx context.Context, rows []trellis.PersonImportRow) (trellis.PersonImportResult, error) {
	if len(rows) == 0 {
		return trellis.PersonImportResult{}, trellis.Errorf(trellis.EINVALID, "The import has no people in it.")
	}
	var problems importProblems
	items := make([]*importRow, len(rows))
	lineOf := map[string]int{} // email -> line of its row
	for i, r := range rows {
		it := &importRow{line: r.Line, manager: trellis.NormalizeEmail(r.ManagerEmail)}
		if it.line <= 0 {
			it.line = i + 1
		}
		p := clonePerson(&r.Person)
		p.ID, p.ManagerID, p.Version, p.Active = 0, nil, 0, true
		if p.Access == "" {
			p.Access = trellis.AccessEngineer
		}
		p.Normalize()
		p.RoleSince = normalizeDate(p.RoleSince)
		it.person = p
		items[i] = it
		for _, d := range trellis.ErrorDetails(p.Validate()) {
			problems.add(it.line, d.Field, "%s", d.Message)
		}
		if it.manager != "" && it.manager == p.Email {
			problems.add(it.line, "manager_email", "a person cannot be their own manager")
		}
		if p.Email == "" {
			continue
		}
		if first, ok := lineOf[p.Email]; ok {
			problems.add(it.line, "email", "%s is already on row %d; each person may appear once", p.Email, first)
		} else {
			lineOf[p.Email] = it.line
		}
	}

	var res trellis.PersonImportResult
	err := s.db.update(ctx, func(tx *Tx) error {
		res = trellis.PersonImportResult{}
		problems := slices.Clone(problems)
		if err := lockReportingLines(ctx, tx); err != nil {
			return err
		}
		roles, err := activeRoles(ctx, tx)
		if err != nil {
			return err
		}
		stored, err := loadOrgChart(ctx, tx)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.person.RoleID != "" && trellis.ValidID(it.person.RoleID) {
				if msg := roleProblem(it.person.RoleID, roles); msg != "" {
					problems.add(it.line, "role_id", "%s", msg)
				}
			}
			if it.manager == "" || it.manager == it.person.Email {
				continue
			}
			m, ok := stored.byEmail[it.manager]
			_, inFile := lineOf[it.manager]
			switch {
			case !ok && !inFile:
				problems.add(it.line, "manager_email", "no person with email %s is in the file or already stored", it.manager)
			case ok && !m.active:
				problems.add(it.line, "manager_email", "%s has left the organisation and cannot manage anyone", it.manager)
			}
		}
		// Reporting lines as they would be after the import: the stored
		// ones, with the file's rows in their place.
		managers := make(map[string]string, len(stored.byEmail))
		for email, n := range stored.byEmail {
			if n.managerID != nil {
				managers[email] = stored.byID[*n.managerID].email
			}
		}
		for _, it := range items {
			delete(managers, it.person.Email)
			if it.manager != "" && it.manager != it.person.Email {
				managers[it.person.Email] = it.manager
			}
		}
		for _, loop := range trellis.ManagerCycles(managers) {
			line := 0
			for _, email := range loop {
				if l, ok := lineOf[email]; ok && (line == 0 || l < line) {
					line = l
				}
			}
			problems.add(line, "manager_email", "the file would create a reporting loop: %s", trellis.FormatCycle(loop))
		}
		if err := problems.err(); err != nil {
			return err
		}

		// Write: people first, managers once everyone has an id.
		ids := make(map[string]int64, len(items))
		for email, n := range stored.byEmail {
			ids[email] = n.id
		}
		for _, it := range items {
			if n, ok := stored.byEmail[it.person.Email]; ok {
				before, err := findPerson(ctx, tx, n.id, true)
				if err != nil {
					return err
				}
				it.before = before
				continue
			}
			if err := insertPerson(ctx, tx, it.person); err != nil {
				return err
			}
			ids[it.person.Email] = it.person.ID
			res.Created++
		}
		for _, it := range items {
			var manager *int64
			if it.manager != "" {
				id := ids[it.manager]
				manager = &id
			}
			if it.before == nil {
				if manager != nil {
					if _, err := tx.ExecContext(ctx, `UPDATE people SET manager_id = $2 WHERE id = $1`, it.person.ID, *manager); err != nil {
						return err
					}
					it.person.ManagerID = manager
				}
				continue
			}
			after := clonePerson(it.before)
			after.Name, after.RoleID, after.ManagerID = it.person.Name, it.person.RoleID, manager
			after.Teams, after.Regions = it.person.Teams, it.person.Regions
			if !it.person.RoleSince.IsZero() {
				after.RoleSince = it.person.RoleSince
			}
			if err := after.Validate(); err != nil {
				var p importProblems
				for _, d := range trellis.ErrorDetails(err) {
					p.add(it.line, d.Field, "%s", d.Message)
				}
				return p.err()
			}
			events := personChangeEvents(ctx, it.before, after)
			if len(events) == 0 {
				continue
			}
			tagsChanged := !slices.Equal(it.before.Teams, after.Teams) || !slices.Equal(it.before.Regions, after.Regions)
			if err := savePerson(ctx, tx, after, it.before.Version, tagsChanged); err != nil {
				return err
			}
			for _, e := range events {
				if err := recordAudit(ctx, tx, e); err != nil {
					return err
				}
			}
			res.Updated++
		}
		return recordAudit(ctx, tx, newAuditEvent(ctx, trellis.AuditPeopleImported, "", "", nil, map[string]any{
			"rows": len(items), "created": res.Created, "updated": res.Updated,
		}))
	})
	if err != nil {
		return trellis.PersonImportResult{}, err
	}
	return res, nil
}

// orgNode is one stored person as the import sees them.
type orgNode struct {
	id        int64
	email     string
	managerID *int64
	active    bool
}

type orgChart struct {
	byID    map[int64]*orgNode
	byEmail map[string]*orgNode
}

// loadOrgChart reads every stored person's id, email, manager and state.
func loadOrgChart(ctx context.Context, tx *Tx) (orgChart, error) {
	c := orgChart{byID: map[int64]*orgNode{}, byEmail: map[string]*orgNode{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, email, manager_id, active FROM people`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		n := new(orgNode)
		if err := rows.Scan(&n.id, &n.email, &n.managerID, &n.active); err != nil {
			return c, err
		}
		c.byID[n.id] = n
		c.byEmail[n.email] = n
	}
	return c, rows.Err()
}

// personTarget is the audit target id of a person.
func personTarget(id int64) string { return strconv.FormatInt(id, 10) }
