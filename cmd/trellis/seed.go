package main

import (
	"context"
	"fmt"
	"time"

	trellis "trellis"
	"trellis/seed"
)

func cmdSeed(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "seed", "seed --people N [--evidence-per-person M] [--seed S] [--db DSN]")
	var opt seed.Options
	fs.IntVar(&opt.People, "people", 0, "how many people (required)")
	fs.IntVar(&opt.EvidencePerPerson, "evidence-per-person", 20, "journal entries per person, on average")
	fs.Int64Var(&opt.Seed, "seed", 1, "random seed: the same seed builds the same organisation")
	e.config.bindDB(fs)
	if _, err := parseVerb(e, fs, args, 0, ""); err != nil {
		return err
	}
	if opt.People < 1 || opt.People > 1_000_000 {
		return trellis.Errorf(trellis.EINVALID, "--people %d: give between 1 and 1,000,000 people", opt.People)
	}
	if opt.EvidencePerPerson < 0 || opt.EvidencePerPerson > 10_000 {
		return trellis.Errorf(trellis.EINVALID, "--evidence-per-person %d: give between 0 and 10,000", opt.EvidencePerPerson)
	}
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	p := &progressLine{w: e, start: start}
	if err := seed.Run(cliContext(ctx), db, opt, p.report); err != nil {
		return err
	}
	p.done()
	fmt.Fprintf(e.stdout, "seeded %d people with about %d journal entries each in %s\n", opt.People, opt.EvidencePerPerson, time.Since(start).Round(time.Millisecond))
	return nil
}

// progressLine shows long work on stderr: one line per stage, rewritten in
// place at most a few times a second.
type progressLine struct {
	w     *env
	start time.Time
	stage string
	last  time.Time
}

func (p *progressLine) report(stage string, done, total int) {
	now := time.Now()
	if stage == p.stage && done < total && now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	if stage != p.stage && p.stage != "" {
		fmt.Fprintln(p.w.stderr)
	}
	p.stage, p.last = stage, now
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	fmt.Fprintf(p.w.stderr, "\r%-12s %3d%% %d/%d  %s", stage, pct, done, total, now.Sub(p.start).Round(time.Second))
}

func (p *progressLine) done() {
	if p.stage != "" {
		fmt.Fprintln(p.w.stderr)
	}
}
