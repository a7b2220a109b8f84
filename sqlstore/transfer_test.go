package sqlstore_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"trellis"
	"trellis/defaults"
	"trellis/seed"
	"trellis/sqlstore"
	"trellis/sqlstore/storetest"
)

// sqliteDSN is a new SQLite file, whatever TRELLIS_TEST_POSTGRES says.
func sqliteDSN(t *testing.T) string { return filepath.Join(t.TempDir(), "trellis.db") }

func postgresDSN(t *testing.T) string {
	t.Helper()
	if storetest.Dialect() != sqlstore.Postgres {
		t.Skip("set " + storetest.EnvPostgres + " to move to and from PostgreSQL")
	}
	return storetest.DSN(t)
}

func openTransferDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// seededSource is a database with a small seeded organisation and a few
// hand-made rows of every kind, with the values that are hard to move:
// NULLs, false, binary data with a zero byte and bytes that are not UTF-8,
// JSON text, text in several scripts, a manager with a larger id than
// their report.
func seededSource(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db := openTransferDB(t, dsn)
	if err := seed.Run(ctx, db, seed.Options{People: 60, EvidencePerPerson: 10, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	blob := []byte{0, 1, 2, 0xff, 0xfe, 'a', '\n', 0x80}
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO people (id, email, name, name_key, role_id, manager_id, role_since, access, active, created_at, updated_at, version)
		  VALUES (4000, 'zoe@example.com', 'Zoë Ångström 😀 "quoted"', 'zoë ångström', 'support-engineer', NULL, NULL, 'engineer', $1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 1)`, []any{false}},
		{`INSERT INTO people (id, email, name, name_key, role_id, manager_id, role_since, access, active, created_at, updated_at, version)
		  VALUES (5000, 'boss@example.com', '王小明', '王小明', 'support-engineering-manager', NULL, '2024-05-01', 'manager', $1, '2026-01-01T00:00:00.000000Z', '2026-01-02T00:00:00.000000Z', 3)`, []any{true}},
		{`UPDATE people SET manager_id = 5000 WHERE id = 4000`, nil},
		{`INSERT INTO person_tags (person_id, kind, position, tag, tag_key) VALUES (4000, 'team', 1, 'Tier 2', 'tier 2')`, nil},
		{`INSERT INTO passwords (person_id, hash, updated_at) VALUES (4000, '$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA', '2026-01-03T00:00:00.000000Z')`, nil},
		{`INSERT INTO identities (provider, subject, person_id, created_at) VALUES ('https://idp.example.com', 'sub-1', 4000, '2026-01-03T00:00:00.000000Z')`, nil},
		{`INSERT INTO signin_attempts (at, email, ip, ok) VALUES ('2026-01-03T00:00:00.000000Z', 'zoe@example.com', '10.0.0.1', $1)`, []any{true}},
		{`INSERT INTO signin_attempts (at, email, ip, ok) VALUES ('2026-01-03T00:00:01.000000Z', 'zoe@example.com', '10.0.0.1', $1)`, []any{false}},
		{`INSERT INTO api_tokens (id, person_id, name, hash, scope, created_at, expires_at, last_used_at, revoked_at)
		  VALUES (700007, 4000, 'ci', 'digest-1', 'read', '2026-01-03T00:00:00.000000Z', '2027-01-03T00:00:00.000000Z', NULL, '2026-02-01T00:00:00.000000Z')`, nil},
		{`INSERT INTO reset_links (id, hash, person_id, created_by, created_at, expires_at, used_at)
		  VALUES (700003, 'digest-2', 4000, NULL, '2026-01-03T00:00:00.000000Z', '2026-01-04T00:00:00.000000Z', NULL)`, nil},
		{`INSERT INTO sessions (token, data, expiry) VALUES ('tok-1', $1, '2026-12-31T00:00:00.000000Z')`, []any{blob}},
		{`INSERT INTO audit_log (at, actor_id, actor_label, action, target_type, target_id, before, after, ip)
		  VALUES ('2026-01-03T00:00:00.000000Z', NULL, 'cli', 'person.update', 'person', '4000', NULL, $1, '::1')`, []any{`{"name":"Zoë \"Z\"","note":"line\nbreak"}`}},
		{`INSERT INTO evidence (id, person_id, date, end_date, title, what, part, result, links, competencies, activity, "values", visibility, framework_id, created_at, updated_at, version)
		  VALUES (90000, 4000, '2026-01-05', NULL, 'Calmed the xylophone outage', 'Tabs	and ünïcode', '', 'from 4h to 40m', '["https://t.example.com/1"]', '[]', '', '[]', 'manager', 'support', '2026-01-05T00:00:00.000000Z', '2026-01-05T00:00:00.000000Z', 1)`, nil},
		{`INSERT INTO plan_history (id, person_id, period, plan, archived_at) VALUES (700011, 4000, '2025-H2', '{"goals":[]}', '2026-01-01T00:00:00.000000Z')`, nil},
		{`INSERT INTO conversations (id, person_id, manager_id, date, notes, recorded_at, confirmed_at) VALUES (700012, 4000, 5000, '2026-01-06', 'Talked', '2026-01-06T00:00:00.000000Z', NULL)`, nil},
		{`INSERT INTO assessments (id, person_id, framework_id, framework_version, role_id, competency, by_kind, rating, comment, assessor_id, at)
		  VALUES (700013, 4000, 'support', '1', 'support-engineer', 'communication', 'self', 'meets', '', 4000, '2026-01-07T00:00:00.000000Z')`, nil},
		{`INSERT INTO checklist_items (person_id, framework_id, role_id, kind, key, state, evidence_ids, updated_at)
		  VALUES (4000, 'support', 'support-engineer', 'resource', 'k', 'done', '[90000]', '2026-01-07T00:00:00.000000Z')`, nil},
		// A document in the library: the library's search index is not
		// exported and must be built again by the import.
		{`INSERT INTO documents (id, person_id, target_role, framework_id, framework_version, frozen, template_id, title, body,
			state, visibility, share_in_library, listed, created_at, updated_at, version)
		  VALUES (700020, 4000, 'senior-support-engineer', 'support', '1', $1, 'promotion-document', 'Zoë to senior',
			'Rebuilt the zeppelin runbooks.', 'in-library', 'manager', $2, $2, '2026-01-08T00:00:00.000000Z', '2026-01-08T00:00:00.000000Z', 1)`,
			[]any{false, true}},
		{`INSERT INTO document_sections (document_id, section_id, position, text, version, edited_at)
		  VALUES (700020, 'summary', 0, 'Rebuilt the zeppelin runbooks.', 1, '2026-01-08T00:00:00.000000Z')`, nil},
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			tx.Rollback()
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.RebuildLibraryIndex(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// tableDump is every row of one table, each row normalised to text that
// is the same whichever dialect holds it, sorted.
type tableDump struct {
	columns []string
	rows    []string
}

// dumpAll reads every table of db with the test's own catalog queries, so
// that the check does not lean on the code under test. Generated columns
// are left out: the target computes them; so are the revision counters,
// which count each database's own writes, and PostgreSQL's library search
// table, which the import builds from the documents.
func dumpAll(t *testing.T, db *sqlstore.DB) map[string]tableDump {
	t.Helper()
	raw := sqlstore.RawDB(db)
	var tablesQ, colsQ string
	if db.Dialect == sqlstore.SQLite {
		tablesQ = `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT IN ('goose_db_version', 'revisions', 'library_search')`
		colsQ = `SELECT name FROM pragma_table_xinfo($1) WHERE hidden = 0 ORDER BY name`
	} else {
		tablesQ = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT IN ('goose_db_version', 'revisions', 'library_search')`
		colsQ = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY column_name`
	}
	tables := queryCol(t, raw, tablesQ)
	out := map[string]tableDump{}
	for _, table := range tables {
		cols := queryCol(t, raw, colsQ, table)
		var quoted []string
		for _, c := range cols {
			quoted = append(quoted, `"`+c+`"`)
		}
		rows, err := raw.Query(`SELECT ` + strings.Join(quoted, ", ") + ` FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		d := tableDump{columns: cols}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(cols))
			for i, v := range vals {
				parts[i] = normalise(v)
			}
			d.rows = append(d.rows, strings.Join(parts, "\x1f"))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		slices.Sort(d.rows)
		out[table] = d
	}
	return out
}

// normalise writes a value as the drivers return it in a form equal across
// dialects: SQLite's booleans are 0 and 1, PostgreSQL's true and false.
func normalise(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int64:
		return fmt.Sprint(x)
	case float64:
		return fmt.Sprint(x)
	case []byte:
		return fmt.Sprintf("%q", x)
	case string:
		return fmt.Sprintf("%q", x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

func queryCol(t *testing.T, raw *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := raw.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func compareDumps(t *testing.T, want, got map[string]tableDump) {
	t.Helper()
	for table, w := range want {
		g, ok := got[table]
		if !ok {
			t.Errorf("table %s is missing after the move", table)
			continue
		}
		if !slices.Equal(w.columns, g.columns) {
			t.Errorf("table %s: columns %v, after the move %v", table, w.columns, g.columns)
			continue
		}
		if len(w.rows) != len(g.rows) {
			t.Errorf("table %s: %d rows, after the move %d", table, len(w.rows), len(g.rows))
			continue
		}
		for i := range w.rows {
			if w.rows[i] != g.rows[i] {
				t.Errorf("table %s differs after the move:\n  before %s\n  after  %s", table, w.rows[i], g.rows[i])
				break
			}
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("table %s appeared after the move", table)
		}
	}
}

func exportTo(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trellis-export.jsonl.gz")
	if _, err := db.Export(context.Background(), path, sqlstore.TransferOptions{Producer: "test"}); err != nil {
		t.Fatalf("export: %v", err)
	}
	return path
}

func importFrom(t *testing.T, db *sqlstore.DB, path string) (*sqlstore.TransferInfo, error) {
	t.Helper()
	ctx := context.Background()
	ef, err := sqlstore.OpenExport(ctx, path)
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	return db.Import(ctx, ef, sqlstore.TransferOptions{})
}

// moveAndCompare exports a seeded instance from srcDSN, imports it into a
// fresh database at dstDSN and compares every table row by row; then the
// moved instance must take new people and entries and find imported
// entries by search.
func moveAndCompare(t *testing.T, srcDSN string, newDst func(*testing.T) string) {
	ctx := context.Background()
	src := seededSource(t, srcDSN)
	before := dumpAll(t, src)
	for _, table := range []string{"people", "person_tags", "evidence", "evidence_competencies", "frameworks", "framework_versions",
		"passwords", "identities", "signin_attempts", "api_tokens", "reset_links", "sessions", "audit_log",
		"growth_plans", "plan_history", "conversations", "assessments", "checklist_items"} {
		if len(before[table].rows) == 0 {
			t.Errorf("the source has no rows in %s: the move would not be tested on it", table)
		}
	}
	for table, d := range before {
		if len(d.rows) == 0 {
			t.Logf("table %s is empty in the source", table)
		}
	}

	path := exportTo(t, src)
	// A database a first start has loaded the default framework into
	// is not empty.
	dst := openTransferDB(t, newDst(t))
	fw, err := defaults.Support()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewFrameworkService(dst).ImportFramework(ctx, fw, true); err != nil {
		t.Fatal(err)
	}
	if _, err := importFrom(t, dst, path); err == nil || trellis.ErrorCode(err) != trellis.EINVALID ||
		!strings.Contains(err.Error(), "not empty") || !strings.Contains(err.Error(), "frameworks") {
		t.Fatalf("import into a database with the default framework: %v", err)
	}

	dst = openTransferDB(t, newDst(t))
	info, err := importFrom(t, dst, path)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if info.Rows() < 600 {
		t.Errorf("imported %d rows", info.Rows())
	}
	after := dumpAll(t, dst)
	compareDumps(t, before, after)
	if n := len(after["evidence"].rows); n < 600 {
		t.Errorf("%d entries after the move", n)
	}

	// The moved instance works: new ids do not collide, search finds
	// imported entries.
	people := sqlstore.NewPersonService(dst)
	p := &trellis.Person{Email: "new@example.com", Name: "New Person", RoleID: "support-engineer", Access: trellis.AccessEngineer, Active: true}
	if err := people.CreatePerson(ctx, p); err != nil {
		t.Fatalf("a person after the move: %v", err)
	}
	if p.ID <= 5000 {
		t.Errorf("new person got id %d, not past the imported ids", p.ID)
	}
	ev := sqlstore.NewEvidenceService(dst)
	actor := trellis.NewContextWithActor(ctx, trellis.Actor{Person: p})
	e := &trellis.Evidence{PersonID: p.ID, Date: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Title: "First entry after the move",
		Competencies: []string{"communication"}, Visibility: trellis.VisManager, Activity: "customer-call"}
	if err := ev.CreateEvidence(actor, e); err != nil {
		t.Fatalf("an entry after the move: %v", err)
	}
	if e.ID <= 90000 {
		t.Errorf("new entry got id %d, not past the imported ids", e.ID)
	}
	page, err := ev.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: 4000, Query: "xylophone"})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != 90000 {
		t.Errorf("search for an imported entry: %v %+v", err, page.Items)
	}
	lib, err := sqlstore.NewDocumentService(dst).SearchLibrary(ctx, trellis.LibraryFilter{Query: "zeppelin"})
	if err != nil || len(lib.Items) != 1 || lib.Items[0].Document.ID != 700020 || !strings.Contains(lib.Items[0].Snippet, "<mark>zeppelin</mark>") {
		t.Errorf("library search for an imported document: %v %+v", err, lib.Items)
	}
	var seededPerson int64
	var title string
	if err := sqlstore.RawDB(dst).QueryRow(`SELECT person_id, title FROM evidence WHERE id = (SELECT MIN(id) FROM evidence)`).Scan(&seededPerson, &title); err != nil {
		t.Fatal(err)
	}
	word := strings.Fields(title)[0]
	page, err = ev.ListEvidence(ctx, trellis.EvidenceFilter{PersonID: seededPerson, Query: word})
	if err != nil || len(page.Items) == 0 {
		t.Errorf("search for %q among person %d's imported entries: %v, %d found", word, seededPerson, err, len(page.Items))
	}
}

func TestMoveSQLiteToSQLite(t *testing.T) {
	t.Parallel()
	moveAndCompare(t, sqliteDSN(t), sqliteDSN)
}

func TestMoveSQLiteToPostgres(t *testing.T) {
	t.Parallel()
	moveAndCompare(t, sqliteDSN(t), postgresDSN)
}

func TestMovePostgresToSQLite(t *testing.T) {
	t.Parallel()
	moveAndCompare(t, postgresDSN(t), sqliteDSN)
}

func TestExportRefusesExistingFile(t *testing.T) {
	t.Parallel()
	db := openTransferDB(t, sqliteDSN(t))
	path := exportTo(t, db)
	if _, err := db.Export(context.Background(), path, sqlstore.TransferOptions{}); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("export over an existing file: %v", err)
	}
	if _, err := db.Export(context.Background(), path, sqlstore.TransferOptions{Force: true}); err != nil {
		t.Errorf("export --force: %v", err)
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*partial*"))
	if len(matches) > 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}

// TestImportRefusesWhatIsNotAWholeExport: anything but a complete,
// unchanged export of the same schema is refused and the target keeps
// nothing of it.
func TestImportRefusesWhatIsNotAWholeExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := openTransferDB(t, sqliteDSN(t))
	if err := seed.Run(ctx, src, seed.Options{People: 5, EvidencePerPerson: 3}, nil); err != nil {
		t.Fatal(err)
	}
	good := exportTo(t, src)
	content := gunzip(t, good)
	dir := t.TempDir()
	write := func(name string, b []byte, compress bool) string {
		p := filepath.Join(dir, name)
		if compress {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(b)
			zw.Close()
			b = buf.Bytes()
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	raw, _ := os.ReadFile(good)
	lines := bytes.SplitAfter(content, []byte("\n"))
	// A row of a person whose name changed, the hash left as it was.
	tampered := bytes.Replace(content, []byte(`"email":"`), []byte(`"email":"X`), 1)
	// Rows cut off before the trailer.
	truncatedRows := bytes.Join(lines[:len(lines)/2], nil)
	// A header from a newer Trellis.
	newer := bytes.Replace(content, []byte(`"version":1`), []byte(`"version":2`), 1)
	schema := fixTrailer(t, bytes.Replace(content, []byte(`"schema_version":`), []byte(`"schema_version":9`), 1), "")
	extraTable := bytes.Replace(content, []byte(`"tables":[`), []byte(`"tables":[{"name":"wishes","columns":[{"name":"id","type":"integer"}]},`), 1)
	extraTable = bytes.Replace(extraTable, lines[1], append([]byte("{\"table\":\"wishes\"}\n"), lines[1]...), 1)
	extraTable = fixTrailer(t, extraTable, "wishes")

	cases := []struct {
		name, path, want string
	}{
		{"random bytes", write("random.bin", []byte("\x00\x01 not an export at all"), false), "not a Trellis export"},
		{"empty", write("empty.jsonl", nil, false), "not a Trellis export"},
		{"JSON of something else", write("other.json", []byte(`{"hello":"world"}`+"\n"), true), "not a Trellis export"},
		{"a SQLite database", src.DSN, "not a Trellis export"},
		{"truncated compressed file", write("cut.gz", raw[:len(raw)*2/3], false), "incomplete or damaged"},
		{"rows cut before the trailer", write("cut-rows.gz", truncatedRows, true), "before its trailer"},
		{"tampered row", write("tampered.gz", tampered, true), "SHA-256"},
		{"newer format", write("newer.gz", newer, true), "format version 2"},
		{"other migration", write("schema.gz", schema, true), "migration"},
		{"a table the database lacks", write("extra.gz", extraTable, true), "table wishes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := openTransferDB(t, sqliteDSN(t))
			_, err := importFrom(t, dst, c.path)
			if err == nil || trellis.ErrorCode(err) != trellis.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("import of %s: %v, want EINVALID with %q", c.name, err, c.want)
			}
			var n int
			if err := sqlstore.RawDB(dst).QueryRow(`SELECT (SELECT count(*) FROM people) + (SELECT count(*) FROM frameworks)`).Scan(&n); err != nil || n != 0 {
				t.Errorf("after a refused import the database holds %d rows (%v)", n, err)
			}
		})
	}
	// The good file goes in.
	if _, err := importFrom(t, openTransferDB(t, sqliteDSN(t)), good); err != nil {
		t.Fatalf("the good export: %v", err)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixTrailer recomputes the hash of an edited export and, unless table is
// "", counts table as empty, so that only the edit itself is wrong.
func fixTrailer(t *testing.T, content []byte, table string) []byte {
	t.Helper()
	i := bytes.LastIndex(content[:len(content)-1], []byte("\n"))
	body, trailer := content[:i+1], content[i+1:]
	if table != "" {
		trailer = bytes.Replace(trailer, []byte(`"rows":{`), []byte(`"rows":{"`+table+`":0,`), 1)
	}
	h := sha256.Sum256(body)
	sum := hex.EncodeToString(h[:])
	j := bytes.Index(trailer, []byte(`"sha256":"`)) + len(`"sha256":"`)
	return append(body, append(append(append([]byte{}, trailer[:j]...), sum...), trailer[j+64:]...)...)
}
