package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	trellis "trellis"
	"trellis/framework"
	"trellis/sqlstore"
)

func cmdFramework(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "framework", args, map[string]func(context.Context, *env, []string) error{
		"validate": cmdFrameworkValidate,
		"import":   cmdFrameworkImport,
		"export":   cmdFrameworkExport,
		"list":     cmdFrameworkList,
		"diff":     cmdFrameworkDiff,
		"schema":   cmdFrameworkSchema,
	})
}

func cmdFrameworkValidate(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "framework validate", "framework validate [--format native|markdown|csv] FILE...")
	format := fs.String("format", "", "file format: native, markdown or csv (default: from the file name)")
	files, err := parseVerb(e, fs, args, -1, "FILE")
	if err != nil {
		return err
	}
	bad := 0
	for _, f := range files {
		fw, err := readFrameworkFile(f, framework.ReadOptions{Format: *format})
		if err != nil {
			bad++
			fmt.Fprintln(e.stderr, describeReadError(err))
			continue
		}
		fmt.Fprintf(e.stdout, "%s: valid: framework %s@%s, %d roles, %d competencies, %d transitions\n",
			f, fw.ID, fw.Version, len(fw.Roles), len(fw.Competencies), len(fw.Transitions))
	}
	if bad > 0 {
		fmt.Fprintf(e.stderr, "%d of %d files invalid\n", bad, len(files))
		return errReported
	}
	return nil
}

func cmdFrameworkImport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "framework import", "framework import FILE [--format native|markdown|csv] [--activate] [--id ID] [--name NAME] [--version V] [--db DSN]")
	var opt framework.ReadOptions
	fs.StringVar(&opt.Format, "format", "", "file format: native, markdown or csv (default: from the file name)")
	fs.StringVar(&opt.ID, "id", "", "framework id (markdown and csv files carry none)")
	fs.StringVar(&opt.Name, "name", "", "framework name (markdown and csv)")
	fs.StringVar(&opt.Version, "version", "", "framework version (markdown and csv; default 1)")
	activate := fs.Bool("activate", false, "make the imported version the active one")
	e.config.bindDB(fs)
	files, err := parseVerb(e, fs, args, 1, "exactly one FILE")
	if err != nil {
		return err
	}
	fw, err := readFrameworkFile(files[0], opt)
	if err != nil {
		fmt.Fprintln(e.stderr, describeReadError(err))
		fmt.Fprintln(e.stderr, "nothing was imported")
		return errReported
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := sqlstore.NewFrameworkService(db).ImportFramework(ctx, fw, *activate)
	if err != nil {
		return err
	}
	state := "imported"
	if !res.Created {
		state = "already stored with the same content; nothing changed"
	}
	active := ""
	if res.Version.Active {
		active = " (active)"
	}
	fmt.Fprintf(e.stdout, "framework %s@%s%s: %s\n", res.Version.ID, res.Version.Version, active, state)
	return nil
}

func cmdFrameworkExport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "framework export", "framework export ID[@VERSION] [--db DSN]")
	e.config.bindDB(fs)
	refs, err := parseVerb(e, fs, args, 1, "exactly one ID[@VERSION]")
	if err != nil {
		return err
	}
	ref, err := parseRef(refs[0], false)
	if err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fw, ver, err := sqlstore.NewFrameworkService(db).FindFramework(ctx, ref)
	if err != nil {
		return err
	}
	out, err := framework.Export(fw)
	if err != nil {
		return err
	}
	if err := sqlstore.NewAuditService(db).RecordAudit(ctx, &trellis.AuditEvent{Action: trellis.AuditExport,
		TargetType: trellis.AuditTargetFramework, TargetID: trellis.Ref{ID: fw.ID, Version: ver.Version}.String(),
		After: map[string]any{"format": "yaml"}}); err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

func cmdFrameworkList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "framework list", "framework list [--db DSN]")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	versions, err := sqlstore.NewFrameworkService(db).ListFrameworks(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERSION\tACTIVE\tROLES\tCOMPETENCIES\tIMPORTED\tNAME")
	for _, v := range versions {
		active := ""
		if v.Active {
			active = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", v.ID, v.Version, active, v.Roles, v.Competencies, v.ImportedAt.Format("2006-01-02 15:04"), v.Name)
	}
	return tw.Flush()
}

func cmdFrameworkDiff(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "framework diff", "framework diff ID@V1 ID@V2 [--db DSN]")
	e.config.bindDB(fs)
	refs, err := parseVerb(e, fs, args, 2, "two versions, ID@V1 ID@V2")
	if err != nil {
		return err
	}
	from, err := parseRef(refs[0], true)
	if err != nil {
		return err
	}
	to, err := parseRef(refs[1], true)
	if err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := sqlstore.NewFrameworkService(db)
	a, _, err := svc.FindFramework(ctx, from)
	if err != nil {
		return err
	}
	b, _, err := svc.FindFramework(ctx, to)
	if err != nil {
		return err
	}
	changes := framework.Diff(a, b)
	if changes.Empty() {
		fmt.Fprintf(e.stdout, "%s and %s say the same thing\n", from, to)
		return nil
	}
	fmt.Fprint(e.stdout, changes.Text())
	return nil
}

func cmdFrameworkSchema(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "framework schema", "framework schema")
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	_, err := e.stdout.Write(framework.Schema())
	return err
}

// parseRef reads ID or ID@VERSION.
func parseRef(s string, needVersion bool) (trellis.Ref, error) {
	id, ver, hasVer := strings.Cut(s, "@")
	if id == "" || (hasVer && ver == "") || (needVersion && !hasVer) {
		want := "ID or ID@VERSION"
		if needVersion {
			want = "ID@VERSION"
		}
		return trellis.Ref{}, usagef("%q is not a framework reference; write %s, e.g. support@2026.1", s, want)
	}
	return trellis.Ref{ID: id, Version: ver}, nil
}

func readFrameworkFile(path string, opt framework.ReadOptions) (*trellis.Framework, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, trellis.Errorf(trellis.EINVALID, "cannot read %s: %v", path, errors.Unwrap(err))
	}
	return framework.Read(path, data, opt)
}

// describeReadError prints a framework reading error: positioned errors one
// per line, anything else as its message.
func describeReadError(err error) string {
	var fe *framework.Errors
	if errors.As(err, &fe) {
		return strings.TrimRight(fe.Error(), "\n")
	}
	return trellis.ErrorMessage(err)
}
