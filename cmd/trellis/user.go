package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	trellis "trellis"
	"trellis/auth"
	"trellis/importcsv"
	"trellis/sqlstore"
)

// cliContext marks what the operator does from the command line, so the
// audit log names it "cli".
func cliContext(ctx context.Context) context.Context {
	return trellis.NewContextWithOrigin(ctx, trellis.Origin{Label: "cli"})
}

func cmdUser(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "user", args, map[string]func(context.Context, *env, []string) error{
		"add":        cmdUserAdd,
		"import":     cmdUserImport,
		"reset-link": cmdUserResetLink,
	})
}

// subcommand dispatches a verb with subcommands, naming the valid ones when
// the given one is missing or unknown.
func subcommand(ctx context.Context, e *env, verb string, args []string, subs map[string]func(context.Context, *env, []string) error) error {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(args) == 0 {
		return usagef("%s needs a subcommand: %s", verb, strings.Join(names, ", "))
	}
	sub, ok := subs[args[0]]
	if !ok {
		return usagef("%s has no subcommand %q; use %s", verb, args[0], strings.Join(names, ", "))
	}
	return sub(cliContext(ctx), e, args[1:])
}

func cmdUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "user add", "user add --email E --name N [--role ROLE_ID] [--access engineer|director|people|admin] [--manager EMAIL] [--team T] [--region R] [--password-stdin] [--db DSN]")
	var p trellis.Person
	var manager, team, region string
	fs.StringVar(&p.Email, "email", "", "email address (required)")
	fs.StringVar(&p.Name, "name", "", "full name (required)")
	fs.StringVar(&p.RoleID, "role", "support-engineer", "job role id from the active framework")
	fs.StringVar(&p.Access, "access", trellis.AccessEngineer, "what the person may do: engineer, director, people or admin")
	fs.StringVar(&manager, "manager", "", "the manager's email")
	fs.StringVar(&team, "team", "", "teams, separated by ;")
	fs.StringVar(&region, "region", "", "regions, separated by ;")
	withPassword := fs.Bool("password-stdin", false, "read a password from the first line of standard input")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	p.Active = true
	p.Teams, p.Regions = splitTags(team), splitTags(region)
	p.RoleSince = time.Now().UTC().Truncate(24 * time.Hour)
	var password string
	if *withPassword {
		pw, err := readPassword(e.stdin)
		if err != nil {
			return err
		}
		if err := auth.CheckPassword(pw, p.Name, p.Email); err != nil {
			return err
		}
		password = pw
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	people := sqlstore.NewPersonService(db)
	if manager != "" {
		m, err := people.FindPersonByEmail(ctx, manager)
		if err != nil {
			return trellis.Errorf(trellis.EINVALID, "--manager %s: no such person; add the manager first or leave --manager out", manager)
		}
		p.ManagerID = &m.ID
	}
	if err := people.CreatePerson(ctx, &p); err != nil {
		return err
	}
	if password != "" {
		if err := setPassword(ctx, db, p.ID, password); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "added %s <%s> as %s (id %d, access %s)\n", p.Name, p.Email, p.RoleID, p.ID, p.Access)
	return nil
}

func setPassword(ctx context.Context, db *sqlstore.DB, personID int64, password string) error {
	h, err := auth.NewHasher(auth.DefaultParams)
	if err != nil {
		return err
	}
	phc, err := h.Hash(password)
	if err != nil {
		return err
	}
	return sqlstore.NewCredentialStore(db).SetPasswordHash(ctx, personID, phc)
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", trellis.Errorf(trellis.EINVALID, "--password-stdin: standard input held no password; pipe one line, e.g. printf '%%s\\n' \"$PASSWORD\" | trellis user add ...")
	}
	return pw, nil
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ";") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func cmdUserResetLink(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "user reset-link", "user reset-link --email E [--base-url URL] [--hours H] [--db DSN]")
	email := fs.String("email", "", "the person's email (required)")
	hours := fs.Int("hours", int(auth.DefaultResetTTL/time.Hour), "hours the link stays valid")
	fs.StringVar(&e.config.BaseURL, "base-url", e.config.BaseURL, "the address people open Trellis at (env TRELLIS_BASE_URL)")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	if *email == "" {
		return usagef("user reset-link needs --email")
	}
	if *hours < 1 || *hours > 24*7 {
		return trellis.Errorf(trellis.EINVALID, "--hours %d: a reset link lives between 1 hour and 7 days (168 hours)", *hours)
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := sqlstore.NewPersonService(db).FindPersonByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if !p.Active {
		return trellis.Errorf(trellis.ERULE, "%s has left the organisation; reactivate them before sending a reset link", p.Email)
	}
	link, secret, err := auth.NewResetLink(p.ID, nil, time.Now().UTC(), time.Duration(*hours)*time.Hour)
	if err != nil {
		return err
	}
	if err := sqlstore.NewTokenStore(db).CreateResetLink(ctx, link); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s/reset/%s\n", e.config.baseURL(), secret)
	fmt.Fprintf(e.stderr, "one-time link for %s, valid until %s; send it to them privately\n", p.Email, link.ExpiresAt.Format(time.RFC3339))
	return nil
}

func cmdToken(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "token", args, map[string]func(context.Context, *env, []string) error{
		"create": cmdTokenCreate,
	})
}

func cmdTokenCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "token create", "token create --email E [--scope read|write] [--name NAME] [--days N] [--db DSN]")
	email := fs.String("email", "", "the person the token acts for (required)")
	scope := fs.String("scope", auth.ScopeRead, "read or write")
	name := fs.String("name", "command line", "what the token is for")
	days := fs.Int("days", int(auth.DefaultTokenTTL/(24*time.Hour)), "days until it expires")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	if *email == "" {
		return usagef("token create needs --email")
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := sqlstore.NewPersonService(db).FindPersonByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if !p.Active {
		return trellis.Errorf(trellis.ERULE, "%s has left the organisation; a token for them would not work", p.Email)
	}
	tok, secret, err := auth.NewAPIToken(p.ID, *name, *scope, time.Now().UTC(), time.Duration(*days)*24*time.Hour)
	if err != nil {
		return err
	}
	if err := sqlstore.NewTokenStore(db).CreateToken(ctx, tok); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "%s token for %s, expires %s; it is shown only this once\n", tok.Scope, p.Email, tok.ExpiresAt.Format("2006-01-02"))
	return nil
}

func cmdAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "audit", "audit [--since 2026-01-02|24h] [--action NAME|FAMILY.] [--limit N] [--db DSN]")
	since := fs.String("since", "", "only events at or after a date (YYYY-MM-DD), a time (RFC 3339) or a duration ago (24h)")
	action := fs.String("action", "", "an action (signin.failed) or a family ending in a dot (person.)")
	limit := fs.Int("limit", 100, "at most this many events, newest first")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	f := trellis.AuditFilter{Action: *action, Limit: *limit}
	if *since != "" {
		t, err := parseSince(*since, time.Now().UTC())
		if err != nil {
			return err
		}
		f.Since = t
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	page, err := sqlstore.NewAuditService(db).ListAudit(ctx, f)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTOR\tACTION\tTARGET\tIP\tCHANGE")
	for _, ev := range page.Items {
		target := strings.Trim(ev.TargetType+" "+ev.TargetID, " ")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ev.At.Format("2006-01-02 15:04:05"), ev.ActorLabel, ev.Action, target, ev.IP, describeChange(ev))
	}
	return tw.Flush()
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, trellis.Errorf(trellis.EINVALID, "--since %q is not a date (2026-01-02), a time (2026-01-02T15:04:05Z) or a duration (24h)", s)
}

// describeChange prints an event's before and after fields as "field: a -> b".
func describeChange(ev *trellis.AuditEvent) string {
	keys := map[string]bool{}
	for k := range ev.Before {
		keys[k] = true
	}
	for k := range ev.After {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, k := range names {
		b, hasB := ev.Before[k]
		a, hasA := ev.After[k]
		switch {
		case hasB && hasA:
			parts = append(parts, fmt.Sprintf("%s: %v -> %v", k, b, a))
		case hasA:
			parts = append(parts, fmt.Sprintf("%s: %v", k, a))
		default:
			parts = append(parts, fmt.Sprintf("%s: %v (removed)", k, b))
		}
	}
	return strings.Join(parts, "; ")
}

func cmdUserImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "user import", "user import FILE.csv [--db DSN]   (columns: name,email,role,manager_email,team,region,role_since)")
	e.config.bindDB(fs)
	files, err := parseVerb(e, fs, args, 1, "exactly one FILE.csv")
	if err != nil {
		return err
	}
	rows, err := readRows(e, files[0], "people", importcsv.People)
	if err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := sqlstore.NewPersonService(db).ImportPeople(ctx, rows)
	if err != nil {
		return reportRows(e, files[0], err)
	}
	fmt.Fprintf(e.stdout, "%s: %d people added, %d updated\n", files[0], res.Created, res.Updated)
	return nil
}

// readRows parses a CSV file of rows to import, printing every bad row.
func readRows[T any](e *env, path, noun string, parse func(string, io.Reader) ([]T, error)) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	rows, err := parse(path, f)
	if err != nil {
		return nil, reportRows(e, path, err)
	}
	fmt.Fprintf(e.stderr, "%s: %d %s read; checking and importing in one step...\n", path, len(rows), noun)
	return rows, nil
}

// reportRows prints every row error of an import, then says nothing was written.
func reportRows(e *env, file string, err error) error {
	details := trellis.ErrorDetails(err)
	if len(details) == 0 {
		return err
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", file, trellis.ErrorMessage(err))
	for _, d := range details {
		fmt.Fprintf(e.stderr, "  %s: %s\n", d.Field, d.Message)
	}
	fmt.Fprintln(e.stderr, "nothing was imported")
	return errReported
}
