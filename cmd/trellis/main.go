// Command trellis runs the Trellis server and its administration verbs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	trellis "trellis"
	"trellis/sqlstore"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise
// the module's build information is used.
var version = ""

// Exit codes of api.md.
const (
	exitOK       = 0
	exitInput    = 1
	exitUsage    = 2
	exitInternal = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env bundles what a verb may read and write, so tests drive verbs in-process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	config Config
}

type verb struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func verbs() []verb {
	return []verb{
		{"serve", "run the server (migrates first)", cmdServe},
		{"demo", "run the server on a fresh SQLite file with demo data", cmdDemo},
		{"migrate", "apply database migrations", cmdMigrate},
		{"framework", "validate, import, export, list, diff frameworks; print the schema", cmdFramework},
		{"user", "add people, import them from CSV, make password reset links", cmdUser},
		{"token", "create a personal API token", cmdToken},
		{"evidence", "add to a journal, import a journal from CSV", cmdEvidence},
		{"sync", "import work from people's GitLab and GitHub connections", cmdSync},
		{"seed", "build a synthetic organisation for demos and benchmarks", cmdSeed},
		{"audit", "show the audit log", cmdAudit},
		{"notify", "send a test e-mail or webhook message with the server's settings", cmdNotify},
		{"backup", "copy the SQLite database while serving (PostgreSQL: pg_dump)", cmdBackup},
		{"restore", "replace the SQLite database with a backup (server stopped)", cmdRestore},
		{"export-all", "write a whole instance to one file, for import-all", cmdExportAll},
		{"import-all", "load an export-all file into an empty database (SQLite or PostgreSQL)", cmdImportAll},
		{"version", "print the version", cmdVersion},
	}
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, config: configFromEnv(getenv)}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, v := range verbs() {
		if v.name == args[0] {
			return exitCode(stderr, v.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "trellis: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: trellis COMMAND [flags]\n\nCommands:")
	for _, v := range verbs() {
		fmt.Fprintf(w, "  %-10s %s\n", v.name, v.summary)
	}
	fmt.Fprintln(w, "\nRun 'trellis COMMAND -h' for a command's flags.")
}

// usageError is a wrong command line: exit 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitCode prints err for a person and maps it to an exit code: the one
// table from domain error codes to exit codes.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "trellis: %s\n", ue.msg)
		return exitUsage
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errReported):
		return exitInput
	}
	switch trellis.ErrorCode(err) {
	case trellis.EINTERNAL:
		fmt.Fprintf(stderr, "trellis: internal error: %v\n", err)
		return exitInternal
	default:
		fmt.Fprintf(stderr, "trellis: %s\n", trellis.ErrorMessage(err))
		for _, d := range trellis.ErrorDetails(err) {
			fmt.Fprintf(stderr, "  %s: %s\n", d.Field, d.Message)
		}
		return exitInput
	}
}

// errReported means the verb already printed what was wrong with the input.
var errReported = errors.New("input errors reported")

// parseFlags parses flags wherever they stand among the positional arguments,
// so that `framework import FILE --activate` works as well as the reverse.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// newFlagSet returns a flag set whose -h prints the verb's flags to stderr.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: trellis %s\n", synopsis)
		fs.SetOutput(e.stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseVerb parses a verb's flags and checks its positional arguments:
// want of them exactly, or at least one when want is -1. what names them in
// the usage error ("ID[@VERSION]").
func parseVerb(e *env, fs *flag.FlagSet, args []string, want int, what string) ([]string, error) {
	pos, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
	}
	if err != nil {
		return nil, err
	}
	switch {
	case want == 0 && len(pos) > 0:
		return nil, usagef("%s takes no arguments, got %q", fs.Name(), pos)
	case want < 0 && len(pos) == 0:
		return nil, usagef("%s needs at least one %s", fs.Name(), what)
	case want > 0 && len(pos) != want:
		return nil, usagef("%s needs %s, got %d argument(s)", fs.Name(), what, len(pos))
	}
	return pos, nil
}

// openStore opens the database named by the configuration, migrated.
func (e *env) openStore(ctx context.Context) (*sqlstore.DB, error) {
	return openStore(ctx, e.config, newLogger(e.config, e.stderr))
}

func cmdVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "version")
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "trellis %s\n", buildVersion())
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if len(rev) >= 12 {
		v += " (" + rev[:12] + dirty + ")"
	}
	return v
}

var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevels[c.LogLevel]}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
