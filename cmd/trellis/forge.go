package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	trellis "trellis"
	"trellis/forge"
	"trellis/sqlstore"
)

// forgeSettings configure imports from GitLab and GitHub: the secret key
// personal tokens are sealed with, and instance tokens that connections
// without a token of their own use.
//
//	TRELLIS_SECRET_KEY   32 random bytes, base64 or hex (openssl rand -base64 32)
//	TRELLIS_GITLAB_TOKEN an instance token for TRELLIS_GITLAB_URL (default https://gitlab.com)
//	TRELLIS_GITHUB_TOKEN an instance token for TRELLIS_GITHUB_URL (default https://github.com)
type forgeSettings struct {
	sealer   *forge.Sealer
	instance map[forge.Kind]forge.InstanceToken
}

func forgeSettingsFromEnv(getenv func(string) string) (forgeSettings, error) {
	var s forgeSettings
	var err error
	if s.sealer, err = forge.NewSealer(getenv(forge.EnvSecretKey)); err != nil {
		return s, err
	}
	s.instance = map[forge.Kind]forge.InstanceToken{}
	for _, k := range forge.Kinds {
		name := strings.ToUpper(string(k))
		tok := strings.TrimSpace(getenv("TRELLIS_" + name + "_TOKEN"))
		if tok == "" {
			continue
		}
		base, err := forge.NormalizeBaseURL(k, getenv("TRELLIS_"+name+"_URL"))
		if err != nil {
			return s, trellis.Errorf(trellis.EINVALID, "TRELLIS_%s_URL: %v", name, err)
		}
		s.instance[k] = forge.InstanceToken{BaseURL: base, Token: tok}
	}
	return s, nil
}

// syncer returns the syncer of a database with these settings.
func (s forgeSettings) syncer(db *sqlstore.DB, logger *slog.Logger) *forge.Syncer {
	return &forge.Syncer{
		Store:     sqlstore.NewForgeStore(db, s.sealer),
		Framework: forge.PersonFramework(sqlstore.NewPersonService(db), sqlstore.NewFrameworkService(db)),
		Instance:  s.instance,
		Logger:    logger,
	}
}

func cmdSync(ctx context.Context, e *env, args []string) error {
	ctx = cliContext(ctx)
	fs := newFlagSet(e, "sync", "sync --email E | --all [--db DSN]")
	email := fs.String("email", "", "the person whose GitLab and GitHub connections to sync")
	all := fs.Bool("all", false, "sync everyone who has a connection")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	if (*email == "") == !*all {
		return usagef("sync needs either --email or --all")
	}
	settings, err := forgeSettingsFromEnv(e.getenv)
	if err != nil {
		return err
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	syncer := settings.syncer(db, newLogger(e.config, e.stderr))
	syncer.Progress = func(msg string) { fmt.Fprintln(e.stderr, msg) }
	var ids []int64
	if *all {
		if ids, err = syncer.Store.PeopleWithAccounts(ctx); err != nil {
			return err
		}
	} else {
		p, err := sqlstore.NewPersonService(db).FindPersonByEmail(ctx, *email)
		if err != nil {
			return err
		}
		ids = []int64{p.ID}
	}
	total, stopped, runs := 0, 0, 0
	for _, id := range ids {
		rs, err := syncer.SyncPerson(ctx, id)
		for _, r := range rs {
			runs++
			total += r.Added
			if r.Error != "" {
				stopped++
				fmt.Fprintf(e.stdout, "%s: %d new, stopped: %s\n", r.Account, r.Added, r.Error)
			} else {
				fmt.Fprintf(e.stdout, "%s: %d new\n", r.Account, r.Added)
			}
		}
		if err != nil {
			return err
		}
	}
	if runs == 0 {
		fmt.Fprintln(e.stdout, "no connections to sync; people add them on their Connections page")
		return nil
	}
	fmt.Fprintf(e.stdout, "%d new item(s) wait for their people to accept or dismiss\n", total)
	if stopped > 0 {
		return trellis.Errorf(trellis.EUNAVAILABLE, "%d of %d sync(s) stopped early; they kept what they had and resume from there next time", stopped, runs)
	}
	return nil
}
