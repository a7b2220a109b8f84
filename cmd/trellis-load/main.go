// Command trellis-load runs a load against a Trellis server on a seeded
// database and reports throughput and latency as ratios to a trivial
// handler measured in the same run, on the same machine.
//
//	go run ./cmd/trellis-load --target http://127.0.0.1:8080 --db /tmp/load.db --duration 20s
//
// It signs in seeded people (write tokens for the API, session cookies from
// POST /signin for pages; see prepare.go), builds a weighted mix of API
// reads, journal searches, page views and journal writes (mix.go), and runs
// vegeta against it (run.go). With --rate 0 it first finds the maximum
// throughput, then measures latency at half of it, then measures API reads
// alone at the maximum; with --rate N it runs the mix at N requests/s.
// Each maximum is measured in slices that take turns with slices of the
// trivial handler, so that whatever else the machine runs weighs on both.
//
// It only ever sends traffic to loopback addresses, and every phase is
// bounded by --duration and --max-requests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Config says what to attack and how hard.
type Config struct {
	Target      string        // base URL of the server, loopback only
	DB          string        // the server's database, to prepare users
	Duration    time.Duration // length of each phase
	Rate        int           // requests/s; 0 finds the maximum
	Users       int           // signed-in people
	Workers     int           // concurrent requests in max-rate phases
	MaxRequests uint64        // bound on the requests of one phase
	PID         int           // server process, for its resident memory
	Timeout     time.Duration // per request
	Seed        uint64        // the mix's random sequence
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("trellis-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	fs.StringVar(&c.Target, "target", "http://127.0.0.1:8080", "base URL of a running trellis serve (loopback only)")
	fs.StringVar(&c.DB, "db", "", "the server's database (SQLite path or postgres:// URL), seeded with trellis seed (required)")
	fs.DurationVar(&c.Duration, "duration", 20*time.Second, "length of each phase (at most 10m)")
	fs.IntVar(&c.Rate, "rate", 0, "requests per second; 0 finds the maximum, then measures at half of it")
	fs.IntVar(&c.Users, "users", 50, "seeded people to sign in")
	fs.IntVar(&c.Workers, "workers", 32, "concurrent requests when finding the maximum")
	fs.Uint64Var(&c.MaxRequests, "max-requests", 5_000_000, "at most this many requests in one phase")
	fs.IntVar(&c.PID, "pid", 0, "the server's process id, to read its resident memory from /proc (else from its /metrics)")
	fs.DurationVar(&c.Timeout, "timeout", 10*time.Second, "per request")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed of the request mix")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := c.check(); err != nil {
		fmt.Fprintf(stderr, "trellis-load: %v\n", err)
		return 2
	}
	rep, err := Run(ctx, c, stderr)
	if rep != nil {
		rep.Print(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "trellis-load: %v\n", err)
		return 1
	}
	return 0
}

func (c *Config) check() error {
	if c.DB == "" {
		return errors.New("--db is required: the database the server runs on, to sign in seeded people")
	}
	if err := loopbackURL(c.Target); err != nil {
		return err
	}
	switch {
	case c.Duration <= 0 || c.Duration > 10*time.Minute:
		return fmt.Errorf("--duration %s: give between 1s and 10m", c.Duration)
	case c.Rate < 0:
		return fmt.Errorf("--rate %d: give 0 (find the maximum) or a positive rate", c.Rate)
	case c.Users < 1 || c.Users > 1000:
		return fmt.Errorf("--users %d: give between 1 and 1000", c.Users)
	case c.Workers < 1 || c.Workers > 1024:
		return fmt.Errorf("--workers %d: give between 1 and 1024", c.Workers)
	case c.MaxRequests < 1:
		return errors.New("--max-requests must be positive")
	}
	return nil
}

// loopbackURL refuses any target that is not on this machine's loopback.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--target %q: give a URL such as http://127.0.0.1:8080", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--target %q: only loopback addresses (127.0.0.0/8, ::1, localhost) may be loaded", raw)
}
