package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	trellis "trellis"
	"trellis/importcsv"
	"trellis/sqlstore"
	"trellis/suggest"
)

func cmdEvidence(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "evidence", args, map[string]func(context.Context, *env, []string) error{
		"add":    cmdEvidenceAdd,
		"import": cmdEvidenceImport,
	})
}

// listFlag collects a repeatable flag; commas also separate values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

var _ flag.Value = (*listFlag)(nil)

func cmdEvidenceAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "evidence add", "evidence add --email E --title T [--date YYYY-MM-DD] [--what ...] [--part ...] [--result ...] [--link URL]... [--competency ID]... [--activity ID] [--value ID]... [--visibility private|manager|organisation-viewer|...] [--db DSN]")
	var ev trellis.Evidence
	var links, comps, values listFlag
	email := fs.String("email", "", "whose journal (required)")
	date := fs.String("date", time.Now().UTC().Format("2006-01-02"), "when it happened")
	end := fs.String("end-date", "", "last day, for something that lasted a while")
	fs.StringVar(&ev.Title, "title", "", "a short title (required)")
	fs.StringVar(&ev.What, "what", "", "what happened")
	fs.StringVar(&ev.Part, "part", "", "your own part in it")
	fs.StringVar(&ev.Result, "result", "", "the measurable result")
	fs.StringVar(&ev.Activity, "activity", "", "activity kind id (e.g. pairing-session)")
	vis := fs.String("visibility", string(trellis.VisPrivate), "who may see it")
	fs.Var(&links, "link", "a link to an artifact (repeatable)")
	fs.Var(&comps, "competency", "a competency it shows (repeatable); without any, suggestions are printed")
	fs.Var(&values, "value", "a company value it shows (repeatable)")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	if *email == "" {
		return usagef("evidence add needs --email")
	}
	var err error
	if ev.Date, err = parseDay("date", *date); err != nil {
		return err
	}
	if *end != "" {
		d, err := parseDay("end-date", *end)
		if err != nil {
			return err
		}
		ev.EndDate = &d
	}
	ev.Links, ev.Competencies, ev.Values, ev.Visibility = links, comps, values, trellis.Visibility(*vis)
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := sqlstore.NewPersonService(db).FindPersonByEmail(ctx, *email)
	if err != nil {
		return err
	}
	fw, ver, err := frameworkOfRole(ctx, sqlstore.NewFrameworkService(db), p.RoleID)
	if err != nil {
		return err
	}
	ev.PersonID, ev.FrameworkID = p.ID, fw.ID
	if err := sqlstore.NewEvidenceService(db).CreateEvidence(ctx, &ev); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added evidence %d to %s's journal: %s\n", ev.ID, p.Name, ev.Title)
	if len(comps) == 0 {
		text := strings.Join([]string{ev.Title, ev.What, ev.Part, ev.Result}, "\n")
		sugg := suggest.New(fw).Suggest(text, ev.Activity, 5)
		if len(sugg) > 0 {
			fmt.Fprintf(e.stdout, "No competencies tagged. Suggested from %s@%s (tag them in the journal, or add again with --competency):\n", fw.ID, ver.Version)
			for _, s := range sugg {
				fmt.Fprintf(e.stdout, "  %-24s because of: %s\n", s.Competency, strings.Join(s.Reasons, ", "))
			}
		}
	}
	return nil
}

func cmdEvidenceImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "evidence import", "evidence import --email E FILE.csv [--db DSN]   (columns: title,date,end_date,what,part,result,links,competencies,activity,values,visibility)")
	email := fs.String("email", "", "whose journal (required)")
	e.config.bindDB(fs)
	files, err := parseVerb(e, fs, args, 1, "exactly one FILE.csv")
	if err != nil {
		return err
	}
	if *email == "" {
		return usagef("evidence import needs --email")
	}
	rows, err := readRows(e, files[0], "entries", importcsv.Evidence)
	if err != nil {
		return err
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
	n, err := sqlstore.NewEvidenceService(db).ImportEvidence(ctx, p.ID, rows)
	if err != nil {
		return reportRows(e, files[0], err)
	}
	fmt.Fprintf(e.stdout, "%s: %d entries added to %s's journal\n", files[0], n, p.Name)
	return nil
}

func parseDay(flagName, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, trellis.Errorf(trellis.EINVALID, "--%s %q is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14", flagName, s)
	}
	return t, nil
}

// frameworkOfRole returns the active framework that defines a person's role:
// their evidence speaks in that framework's competencies.
func frameworkOfRole(ctx context.Context, svc trellis.FrameworkService, roleID string) (*trellis.Framework, trellis.FrameworkVersion, error) {
	versions, err := svc.ListFrameworks(ctx)
	if err != nil {
		return nil, trellis.FrameworkVersion{}, err
	}
	for _, v := range versions {
		if !v.Active {
			continue
		}
		fw, ver, err := svc.FindFramework(ctx, trellis.Ref{ID: v.ID, Version: v.Version})
		if err != nil {
			return nil, ver, err
		}
		if _, ok := fw.Role(roleID); ok {
			return fw, ver, nil
		}
	}
	return nil, trellis.FrameworkVersion{}, trellis.Errorf(trellis.ERULE, "no active framework defines the role %q; give the person a role of the active framework first", roleID)
}
