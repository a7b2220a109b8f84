package importcsv

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
)

func read(t *testing.T, file string) ([]trellis.PersonImportRow, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return People(file, f)
}

func TestGoodFile(t *testing.T) {
	rows, err := read(t, "good.csv")
	if err != nil {
		t.Fatalf("People: %v", err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 (the all-empty row is skipped)", len(rows))
	}
	dana, morgan, ash := rows[0], rows[1], rows[2]
	if dana.Line != 2 || morgan.Line != 3 || ash.Line != 4 {
		t.Errorf("lines = %d, %d, %d; want 2, 3, 4", dana.Line, morgan.Line, ash.Line)
	}
	if dana.Person.Name != "Dana Director" || dana.Person.RoleID != "director-of-support" || dana.ManagerEmail != "" {
		t.Errorf("dana = %+v", dana)
	}
	if !slices.Equal(dana.Person.Regions, []string{"EMEA", "AMER"}) || !slices.Equal(dana.Person.Teams, []string{"Support"}) {
		t.Errorf("dana tags = %v %v", dana.Person.Teams, dana.Person.Regions)
	}
	if want := time.Date(2020, 1, 15, 0, 0, 0, 0, time.UTC); !dana.Person.RoleSince.Equal(want) {
		t.Errorf("role since = %v", dana.Person.RoleSince)
	}
	// RFC 4180 quoting: a comma and doubled quotes inside quoted cells;
	// addresses are normalised.
	if morgan.Person.Name != "Moss, Morgan" || morgan.Person.Email != "morgan@example.com" {
		t.Errorf("morgan = %+v", morgan.Person)
	}
	if !slices.Equal(morgan.Person.Teams, []string{`Team "Alpha"`}) || morgan.ManagerEmail != "dana@example.com" {
		t.Errorf("morgan = %+v manager %q", morgan.Person.Teams, morgan.ManagerEmail)
	}
	// Values separated by ';' with spaces around them; no role_since.
	if !slices.Equal(ash.Person.Regions, []string{"EMEA", "APAC"}) || !slices.Equal(ash.Person.Teams, []string{`Team "Alpha"`, "Tooling"}) {
		t.Errorf("ash tags = %q %q", ash.Person.Teams, ash.Person.Regions)
	}
	if !ash.Person.RoleSince.IsZero() || !ash.Person.Active || ash.Person.Access != "" {
		t.Errorf("ash = %+v", ash.Person)
	}
}

func TestColumnsInAnyOrder(t *testing.T) {
	rows, err := read(t, "reordered.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	p := rows[0].Person
	if p.Name != "Sam Senior" || p.Email != "sam@example.com" || p.RoleID != "senior-support-engineer" ||
		p.RoleSince.Format(DateFormat) != "2023-02-28" || len(p.Teams) != 0 || p.Teams == nil {
		t.Errorf("person = %+v", p)
	}
}

// fields returns the Details fields of an import error, failing the test
// unless err is one EINVALID *trellis.Error.
func fields(t *testing.T, rows []trellis.PersonImportRow, err error) []string {
	t.Helper()
	if rows != nil {
		t.Errorf("rows returned alongside an error: %v", rows)
	}
	var te *trellis.Error
	if !errors.As(err, &te) || te.Code != trellis.EINVALID {
		t.Fatalf("error = %v, want an EINVALID *trellis.Error", err)
	}
	var out []string
	for _, d := range te.Details {
		if d.Message == "" {
			t.Errorf("detail %q has no message", d.Field)
		}
		out = append(out, d.Field)
	}
	return out
}

func TestBadRowsAllListed(t *testing.T) {
	rows, err := read(t, "bad_rows.csv")
	got := fields(t, rows, err)
	want := []string{
		"row 3: role_since", "row 3: email", "row 3: name",
		"row 4: role", "row 4: email",
		"row 5: role_since",
		"row 5: manager_email",
		"row 6: row",
		"row 7: manager_email",
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no problem %q in %q", w, got)
		}
	}
	if slices.ContainsFunc(got, func(f string) bool { return strings.HasPrefix(f, "row 2:") }) {
		t.Errorf("the good row 2 is reported: %q", got)
	}
	// In row order.
	prev := 0
	for _, f := range got {
		var n int
		for _, c := range strings.TrimPrefix(f, "row ") {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		if n < prev {
			t.Errorf("details not in row order: %q", got)
		}
		prev = n
	}
	msg := trellis.ErrorMessage(err)
	if !strings.Contains(msg, "bad_rows.csv") || !strings.Contains(msg, "5 rows") || !strings.Contains(msg, "nothing was imported") {
		t.Errorf("message = %q", msg)
	}
	for _, d := range trellis.ErrorDetails(err) {
		if d.Field == "row 4: email" && !strings.Contains(d.Message, "row 2") {
			t.Errorf("duplicate email should name its first row: %q", d.Message)
		}
		if d.Field == "row 4: role" && !strings.Contains(d.Message, "Not An Id") {
			t.Errorf("role message = %q", d.Message)
		}
	}
}

func TestHeaderProblems(t *testing.T) {
	rows, err := read(t, "unknown_column.csv")
	got := fields(t, rows, err)
	if !slices.Equal(got, []string{"row 1: departmnt", "row 1: salary"}) {
		t.Errorf("fields = %q", got)
	}
	for _, d := range trellis.ErrorDetails(err) {
		if !strings.Contains(d.Message, strings.Join(Columns, ", ")) {
			t.Errorf("message does not name the expected columns: %q", d.Message)
		}
	}

	rows, err = read(t, "missing_columns.csv")
	got = fields(t, rows, err)
	if !slices.Equal(got, []string{"row 1: email", "row 1: role"}) {
		t.Errorf("fields = %q", got)
	}

	rows, err = People("dup.csv", strings.NewReader("name,email,role,Email\n"))
	if got := fields(t, rows, err); !slices.Equal(got, []string{"row 1: email"}) {
		t.Errorf("fields = %q", got)
	}
	rows, err = People("blank.csv", strings.NewReader("name,,email,role\n"))
	if got := fields(t, rows, err); !slices.Equal(got, []string{"row 1: column 2"}) {
		t.Errorf("fields = %q", got)
	}
}

func TestEmptyAndHeaderOnly(t *testing.T) {
	for _, f := range []string{"empty.csv", "header_only.csv"} {
		rows, err := read(t, f)
		if got := fields(t, rows, err); len(got) != 1 {
			t.Errorf("%s: fields = %q", f, got)
		}
	}
}

func TestQuoting(t *testing.T) {
	rows, err := read(t, "bare_quote.csv")
	got := fields(t, rows, err)
	if !slices.Equal(got, []string{"row 3: row"}) {
		t.Errorf("fields = %q", got)
	}
	if msg := trellis.ErrorDetails(err)[0].Message; !strings.Contains(msg, "quote") {
		t.Errorf("message = %q", msg)
	}
	// A quoted cell may span lines; the next row is numbered by its own
	// line, and a line break in a name is refused.
	rows, err = read(t, "multiline.csv")
	if got := fields(t, rows, err); !slices.Equal(got, []string{"row 2: name"}) {
		t.Errorf("fields = %q", got)
	}
	rows, err = People("ml.csv", strings.NewReader("name,email,role,team\nA,a@example.com,support-engineer,\"One\nTwo\"\nB,b@example.com,support-engineer,x\n"))
	if got := fields(t, rows, err); !slices.Equal(got, []string{"row 2: team"}) {
		t.Errorf("fields = %q", got)
	}
	rows, err = People("ok.csv", strings.NewReader("name,email,role\n\"A\",a@example.com,support-engineer\n\nB,b@example.com,support-engineer\n"))
	if err != nil || len(rows) != 2 || rows[1].Line != 4 {
		t.Errorf("rows = %+v, err = %v", rows, err)
	}
}

func TestTooManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,email,role\n")
	for i := range MaxRows + 1 {
		b.WriteString("P,p")
		b.WriteString(strings.Repeat("x", 0))
		b.WriteString(string(rune('a'+i%26)) + "-" + itoa(i) + "@example.com,support-engineer\n")
	}
	rows, err := People("big.csv", strings.NewReader(b.String()))
	got := fields(t, rows, err)
	if len(got) != 1 || got[0] != "row "+itoa(MaxRows+2)+": row" {
		t.Errorf("fields = %q", got)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

// FuzzPeople: any input gives rows or one EINVALID error, never both, never
// a panic; rows that come back validate.
func FuzzPeople(f *testing.F) {
	for _, name := range []string{"good.csv", "bad_rows.csv", "bare_quote.csv", "multiline.csv", "unknown_column.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := People("fuzz.csv", strings.NewReader(string(data)))
		if err != nil {
			if rows != nil || trellis.ErrorCode(err) != trellis.EINVALID || len(trellis.ErrorDetails(err)) == 0 {
				t.Fatalf("rows %v, err %v", rows, err)
			}
			return
		}
		for _, r := range rows {
			p := r.Person
			p.Access = trellis.AccessEngineer
			if err := p.Validate(); err != nil {
				t.Fatalf("row %d does not validate: %v", r.Line, err)
			}
		}
	})
}
