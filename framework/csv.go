package framework

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"trellis"
)

// CSVHeader is the header row of the CSV shape.
var CSVHeader = []string{"area", "competency", "description", "role", "grade", "expectation"}

// csvRequired are the columns a CSV file cannot do without.
var csvRequired = []string{"area", "competency", "role", "expectation"}

// readCSV reads the CSV shape: one row per role x competency.
func readCSV(name string, data []byte, errs *errorList) (*trellis.Framework, func(string) pos) {
	r := csv.NewReader(strings.NewReader(string(data)))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			errs.add(1, 1, "the file is empty; a CSV framework starts with the header row %s", strings.Join(CSVHeader, ","))
		} else {
			csvError(errs, err)
		}
		return nil, nil
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		line, c := r.FieldPos(i)
		switch {
		case !slices.Contains(CSVHeader, h):
			msg := fmt.Sprintf("unknown column %q; the header is %s", h, strings.Join(CSVHeader, ","))
			if s := trellis.Suggest(h, CSVHeader); s != "" {
				msg = fmt.Sprintf("unknown column %q; did you mean %q? The header is %s", h, s, strings.Join(CSVHeader, ","))
			}
			errs.add(line, c, "%s", msg)
		case col[h] > 0:
			errs.add(line, c, "column %q appears twice in the header; keep one", h)
		default:
			col[h] = i + 1 // 0 means absent
		}
	}
	for _, h := range csvRequired {
		if col[h] == 0 {
			errs.add(1, 1, "the header has no %q column; the header is %s", h, strings.Join(CSVHeader, ","))
		}
	}
	if len(errs.list) > 0 {
		return nil, nil
	}

	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	fw := &trellis.Framework{
		APIVersion: trellis.APIVersion,
		Kind:       trellis.FrameworkKind,
		ID:         cmp.Or(trellis.Slug(base), "framework"),
		Name:       cmp.Or(strings.TrimSpace(base), "Framework"),
		Version:    "1",
	}
	track := cmp.Or(trellis.Slug(fw.Name), "main")
	fw.Tracks = []trellis.Track{{ID: track, Name: fw.Name}}

	type seen struct {
		name string
		row  int
	}
	areas := map[string]seen{}
	comps := map[string]int{} // id -> index
	compRow := map[string]seen{}
	compDescRow := map[string]int{}
	roles := map[string]int{}
	roleRow := map[string]seen{}
	gradeRow := map[string]int{}
	pairs := map[[2]string]int{}
	at := map[string]pos{}

	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			csvError(errs, err)
			return nil, nil
		}
		line, _ := r.FieldPos(0)
		get := func(name string) (string, pos) {
			i := col[name] - 1
			if i < 0 || i >= len(rec) {
				return "", pos{line, 1}
			}
			l, c := r.FieldPos(i)
			return strings.TrimSpace(rec[i]), pos{l, c}
		}
		if !slices.ContainsFunc(rec, func(s string) bool { return strings.TrimSpace(s) != "" }) {
			continue // blank line of a spreadsheet
		}
		if len(rec) > len(header) {
			l, c := r.FieldPos(len(header))
			errs.add(l, c, "row on line %d has %d fields, but the header has %d columns; quote fields that contain commas", line, len(rec), len(header))
			continue
		}
		bad := len(errs.list)
		area, areaAt := get("area")
		comp, compAt := get("competency")
		desc, descAt := get("description")
		role, roleAt := get("role")
		grade, gradeAt := get("grade")
		text, _ := get("expectation")
		ids := map[string]string{}
		for _, f := range []struct {
			col, value string
			at         pos
		}{{"area", area, areaAt}, {"competency", comp, compAt}, {"role", role, roleAt}} {
			switch id := trellis.Slug(f.value); {
			case f.value == "":
				errs.addAt(f.at, "", "row on line %d has no %s; every row names an area, a competency and a role", line, f.col)
			case id == "":
				errs.addAt(f.at, "", "%s %q has no letters or digits to make an id from; add some to its name", f.col, f.value)
			default:
				ids[f.col] = id
			}
		}
		var g *int
		if grade != "" {
			n, err := strconv.Atoi(grade)
			if err != nil {
				errs.addAt(gradeAt, "", "grade %q on line %d is not a whole number; write a number such as 7, or leave it empty", grade, line)
			} else {
				g = &n
			}
		}
		if len(errs.list) > bad {
			continue
		}
		// Areas.
		if prev, ok := areas[ids["area"]]; ok {
			if prev.name != area {
				errs.addAt(areaAt, "", "area %q has the same id %q as area %q on line %d; use one spelling", area, ids["area"], prev.name, prev.row)
			}
		} else {
			areas[ids["area"]] = seen{area, line}
			at[fmt.Sprintf("$.areas[%d]", len(fw.Areas))] = areaAt
			fw.Areas = append(fw.Areas, trellis.Area{ID: ids["area"], Name: area})
		}
		// Competencies.
		if k, ok := comps[ids["competency"]]; ok {
			c := &fw.Competencies[k]
			prev := compRow[c.ID]
			switch {
			case prev.name != comp:
				errs.addAt(compAt, "", "competency %q has the same id %q as competency %q on line %d; use one spelling", comp, c.ID, prev.name, prev.row)
			case c.Area != ids["area"]:
				errs.addAt(areaAt, "", "competency %q is in area %q on line %d but in %q here; a competency belongs to one area", comp, c.Area, prev.row, ids["area"])
			case desc != "" && c.Description == "":
				c.Description = desc
				compDescRow[c.ID] = line
			case desc != "" && desc != c.Description:
				errs.addAt(descAt, "", "competency %q already has a different description on line %d; leave this one empty or repeat it exactly", comp, compDescRow[c.ID])
			}
		} else {
			comps[ids["competency"]] = len(fw.Competencies)
			compRow[ids["competency"]] = seen{comp, line}
			compDescRow[ids["competency"]] = line
			at[fmt.Sprintf("$.competencies[%d]", len(fw.Competencies))] = compAt
			fw.Competencies = append(fw.Competencies, trellis.Competency{ID: ids["competency"], Area: ids["area"], Name: comp, Description: desc})
		}
		// Roles.
		k, ok := roles[ids["role"]]
		if ok {
			prev := roleRow[ids["role"]]
			r := &fw.Roles[k]
			switch {
			case prev.name != role:
				errs.addAt(roleAt, "", "role %q has the same id %q as role %q on line %d; use one spelling", role, r.ID, prev.name, prev.row)
			case g != nil && r.Grade == nil:
				r.Grade = g
				gradeRow[r.ID] = line
			case g != nil && *g != *r.Grade:
				errs.addAt(gradeAt, "", "role %q has grade %d on line %d but %d here; give a role one grade", role, *r.Grade, gradeRow[r.ID], *g)
			}
		} else {
			k = len(fw.Roles)
			roles[ids["role"]] = k
			roleRow[ids["role"]] = seen{role, line}
			gradeRow[ids["role"]] = line
			at[fmt.Sprintf("$.roles[%d]", k)] = roleAt
			fw.Roles = append(fw.Roles, trellis.Role{ID: ids["role"], Name: role, Track: track, Grade: g})
		}
		if len(errs.list) > bad {
			continue
		}
		key := [2]string{ids["role"], ids["competency"]}
		if prev, dup := pairs[key]; dup {
			errs.addAt(roleAt, "", "role %q and competency %q already have a row on line %d; give each pair one row", role, comp, prev)
			continue
		}
		pairs[key] = line
		if text != "" {
			r := &fw.Roles[k]
			at[fmt.Sprintf("$.roles[%d].expectations[%d]", k, len(r.Expectations))] = compAt
			r.Expectations = append(r.Expectations, trellis.Expectation{Competency: ids["competency"], Text: text})
		}
	}
	if len(errs.list) > 0 {
		return nil, nil
	}
	fw.Transitions = gradeLadder(fw.Roles)
	return fw, func(path string) pos {
		for p := path; ; {
			if x, ok := at[p]; ok {
				return x
			}
			i := strings.LastIndexAny(p, ".[")
			if i <= 0 {
				return pos{1, 1}
			}
			p = p[:i]
		}
	}
}

// gradeLadder joins roles by merit transitions in order of grade when every
// role has a grade and no two share one: then the grades say how the roles
// follow each other. Otherwise the file does not say, and there are none.
func gradeLadder(roles []trellis.Role) []trellis.Transition {
	grades := map[int]string{}
	for _, r := range roles {
		if r.Grade == nil {
			return nil
		}
		if _, dup := grades[*r.Grade]; dup {
			return nil
		}
		grades[*r.Grade] = r.ID
	}
	sorted := slices.Clone(roles)
	slices.SortFunc(sorted, func(a, b trellis.Role) int { return cmp.Compare(*a.Grade, *b.Grade) })
	var out []trellis.Transition
	for i := 1; i < len(sorted); i++ {
		out = append(out, trellis.Transition{From: sorted[i-1].ID, To: sorted[i].ID, Kind: trellis.KindMerit})
	}
	return out
}

func csvError(errs *errorList, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
			msg += `; a field with quotes must be quoted as a whole, with each quote inside doubled: "say ""hi"""`
		}
		errs.add(pe.Line, pe.Column, "CSV syntax error: %s", msg)
		return
	}
	errs.add(1, 1, "CSV syntax error: %v", err)
}
