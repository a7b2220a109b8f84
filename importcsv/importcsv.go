// Package importcsv reads people and evidence entries from CSV files for
// bulk import: the command line and the import pages share it. Evidence
// files are described in evidence.go.
//
// The file has a header row naming its columns, in any order:
//
//	name,email,role,manager_email,team,region,role_since
//
// name, email and role are required; the others may be left out or left
// empty. team and region hold several values separated by ';'. role_since
// is a date, YYYY-MM-DD. Quoting follows RFC 4180; a UTF-8 byte order mark
// (as spreadsheets write it) is ignored, and so are rows with every cell
// empty.
//
// Row numbers in errors are the line numbers a spreadsheet or editor shows:
// the header is row 1, the first person row 2 (a quoted cell spanning lines
// counts from the line it starts on).
package importcsv

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"trellis"
)

// Columns lists the columns of a people file, in the documented order.
var Columns = []string{"name", "email", "role", "manager_email", "team", "region", "role_since"}

// Required lists the columns every file must have.
var Required = []string{"name", "email", "role"}

// MaxRows bounds the people of one file; bigger organisations import in
// several files.
const MaxRows = 20000

// DateFormat is the form of role_since.
const DateFormat = "2006-01-02"

// problems collects what is wrong with a file, each naming its row.
type problems struct {
	list []trellis.FieldError
	line []int
}

func (p *problems) add(line int, column, format string, args ...any) {
	p.list = append(p.list, trellis.FieldError{Field: fmt.Sprintf("row %d: %s", line, column), Message: fmt.Sprintf(format, args...)})
	p.line = append(p.line, line)
}

func (p *problems) err(name string) error {
	if len(p.list) == 0 {
		return nil
	}
	idx := make([]int, len(p.list))
	rows := map[int]bool{}
	for i := range idx {
		idx[i] = i
		rows[p.line[i]] = true
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(p.line[a], p.line[b]) })
	details := make([]trellis.FieldError, len(idx))
	for i, j := range idx {
		details[i] = p.list[j]
	}
	return &trellis.Error{Code: trellis.EINVALID,
		Message: fmt.Sprintf("%s has %s on %s; nothing was imported.", name, count(len(details), "problem"), count(len(rows), "row")),
		Details: details}
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// People reads a people file. name names the file in messages. On any
// problem it returns no rows and one *trellis.Error (EINVALID) whose
// Details list every problem found, each with a field "row N: column".
// Checks that need the database (the role exists in the active framework,
// the manager exists, no reporting loops) are PersonService.ImportPeople's.
func People(name string, r io.Reader) ([]trellis.PersonImportRow, error) {
	var rows []trellis.PersonImportRow
	lineOf := map[string]int{} // email -> first row
	err := readSheet(name, r, peopleSheet, func(line int, get func(string) string, p *problems) {
		row := readRow(line, get, p)
		if e := row.Person.Email; e != "" {
			if first, ok := lineOf[e]; ok {
				p.add(line, "email", "%s is already on row %d; each person may appear once", e, first)
			} else {
				lineOf[e] = line
			}
		}
		rows = append(rows, row)
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

var peopleSheet = sheet{columns: Columns, required: Required, one: "person", many: "people", max: MaxRows}

// sheet describes a kind of CSV file: its columns and what a row holds.
type sheet struct {
	columns, required []string
	one, many         string // "person", "people": what a row is, in messages
	max               int    // most rows a file may have
}

// readSheet reads a CSV file with a header row naming some of s.columns in
// any order, and calls row for every record that is not blank, with a getter
// of trimmed cells by column name. Problems of the file and of the rows are
// gathered in one EINVALID error naming each row; rows is not told about
// records of the wrong length.
func readSheet(name string, r io.Reader, s sheet, row func(line int, get func(string) string, p *problems)) error {
	if name == "" {
		name = "The file"
	}
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // counted here, so that every short row is reported
	cr.ReuseRecord = false

	var p problems
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &trellis.Error{Code: trellis.EINVALID,
			Message: fmt.Sprintf("%s is empty; it needs a header row (%s) and a row per %s.", name, strings.Join(s.columns, ","), s.one),
			Details: []trellis.FieldError{{Field: "row 1: header", Message: "the file is empty"}}}
	}
	if err != nil {
		p.add(parseLine(err, 1), "header", "%s", parseMessage(err))
		return p.err(name)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
			p.add(1, fmt.Sprintf("column %d", i+1), "the column has no name; the columns are %s", strings.Join(s.columns, ", "))
		case !slices.Contains(s.columns, h):
			msg := fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(s.columns, ", "))
			if g := trellis.Suggest(h, s.columns); g != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", g)
			}
			p.add(1, h, "%s", msg)
		default:
			if _, dup := col[h]; dup {
				p.add(1, h, "the column %s appears twice", h)
			} else {
				col[h] = i
			}
		}
	}
	for _, c := range s.required {
		if !hasColumn(header, c) {
			p.add(1, c, "the column %s is required; the columns are %s", c, strings.Join(s.columns, ", "))
		}
	}
	if len(p.list) > 0 {
		return p.err(name)
	}

	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A broken quote leaves the rest of the file unreadable.
			p.add(parseLine(err, 0), "row", "%s; the rest of the file was not read", parseMessage(err))
			break
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if n == s.max {
			p.add(line, "row", "the file has more than %d %s; split it into several files", s.max, s.many)
			break
		}
		n++
		if len(rec) != len(header) {
			p.add(line, "row", "the row has %s but the header has %s", count(len(rec), "value"), count(len(header), "column"))
			continue
		}
		get := func(c string) string {
			if i, ok := col[c]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row(line, get, &p)
	}
	if err := p.err(name); err != nil {
		return err
	}
	if n == 0 {
		return &trellis.Error{Code: trellis.EINVALID,
			Message: fmt.Sprintf("%s has a header but no %s; add a row per %s.", name, s.many, s.one),
			Details: []trellis.FieldError{{Field: "row 2: row", Message: "no " + s.many + " in the file"}}}
	}
	return nil
}

func hasColumn(header []string, c string) bool {
	return slices.ContainsFunc(header, func(h string) bool { return strings.ToLower(strings.TrimSpace(h)) == c })
}

// fieldColumn maps the fields of trellis.Person.Validate to the file's
// column names.
var fieldColumn = map[string]string{"role_id": "role", "teams": "team", "regions": "region", "manager_id": "manager_email"}

// readRow turns one record into an import row, adding its problems to p.
func readRow(line int, get func(string) string, p *problems) trellis.PersonImportRow {
	person := trellis.Person{
		Name:    get("name"),
		Email:   get("email"),
		RoleID:  get("role"),
		Teams:   splitTags(get("team")),
		Regions: splitTags(get("region")),
		Active:  true,
	}
	if s := get("role_since"); s != "" {
		d, err := time.Parse(DateFormat, s)
		if err != nil {
			p.add(line, "role_since", "%q is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01", s)
		} else {
			person.RoleSince = d
		}
	}
	person.Normalize()
	// The file carries no access level: the store keeps an existing
	// person's and gives a new one the default. Validate as the default.
	check := person
	check.Access = trellis.AccessEngineer
	for _, d := range trellis.ErrorDetails(check.Validate()) {
		p.add(line, cmp.Or(fieldColumn[d.Field], d.Field), "%s", d.Message)
	}
	manager := trellis.NormalizeEmail(get("manager_email"))
	if manager != "" {
		probe := trellis.Person{Email: manager, Name: "x", RoleID: "x", Access: trellis.AccessEngineer}
		for _, d := range trellis.ErrorDetails(probe.Validate()) {
			if d.Field == "email" {
				p.add(line, "manager_email", "%s", d.Message)
			}
		}
		if manager == person.Email {
			p.add(line, "manager_email", "a person cannot be their own manager")
		}
	}
	return trellis.PersonImportRow{Line: line, Person: person, ManagerEmail: manager}
}

// splitTags splits a team or region cell at ';'.
func splitTags(s string) []string {
	if s == "" {
		return []string{}
	}
	parts := strings.Split(s, ";")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func parseLine(err error, fallback int) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return cmp.Or(pe.StartLine, pe.Line, fallback)
	}
	return fallback
}

func parseMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return fmt.Sprintf("a quote (\") in an unquoted cell at line %d, column %d: put the whole cell in quotes and double the quote (\"\")", pe.Line, pe.Column)
		case errors.Is(pe.Err, csv.ErrQuote):
			return fmt.Sprintf("a quoted cell is not closed properly (line %d, column %d): end it with a quote and double any quote inside (\"\")", pe.Line, pe.Column)
		}
		return pe.Err.Error()
	}
	return "the file could not be read: " + err.Error()
}
