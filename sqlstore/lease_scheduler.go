package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// DefaultLeaseTTL is how long a job's lease lasts without renewal: a node
// that dies holding it is replaced by another after about this long (plus
// MaxClockSkew). It is much longer than MaxClockSkew, as leases need.
const DefaultLeaseTTL = time.Minute

// jobRunsKept is how many periods of job runs are kept per job.
const jobRunsKept = 100

// Job is a piece of scheduled work, run once per period by one of the nodes
// sharing the database. Periods are aligned in UTC as time.Truncate aligns
// them (an hourly job's periods start on the hour, a daily job's at
// midnight UTC), so every node agrees on them.
type Job struct {
	Name   string
	Period time.Duration
	Run    func(ctx context.Context) error
}

// Scheduler runs jobs on whichever node sharing the database holds each
// job's lease, once per period:
//
//   - On every tick, each node tries to take or renew the lease "job:NAME"
//     (Lease.TryAcquire). Only the holder goes on; the others wait for the
//     lease to be released or to expire.
//   - The holder then claims the current period in job_runs with an INSERT
//     that a primary key on (job, period_start) lets succeed once. Only a
//     successful claim runs the job, so a period never runs twice, not even
//     when a lease changes hands within the period, a job outlives its lease,
//     or clocks straddle the start of a period.
//   - The run's end and error are written to its job_runs row.
//
// A run that fails is not run again in the same period: the next period
// runs as usual. A node that dies mid-run leaves its row unfinished.
type Scheduler struct {
	db    *DB
	lease *Lease

	// Holder names this node; NewHolderID by default.
	Holder string
	// TTL is the lifetime of a job's lease between renewals;
	// DefaultLeaseTTL by default.
	TTL time.Duration
	// Tick is how often each job's lease is renewed or tried for and its
	// period checked; by default a quarter of TTL, and at most half the
	// job's period.
	Tick time.Duration
	// Observe, when set, is told of every run on this node; err nil is a
	// success.
	Observe func(job string, err error)
	// Logger receives failures; DB.Logger by default.
	Logger *slog.Logger

	mu     sync.Mutex
	jobs   []Job
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewScheduler returns a scheduler over db holding leases as a new holder.
func NewScheduler(db *DB) *Scheduler {
	return &Scheduler{db: db, lease: NewLease(db), Holder: NewHolderID(), TTL: DefaultLeaseTTL}
}

// LeaseName is the name of the lease a job's runner holds.
func LeaseName(job string) string { return "job:" + job }

// Add registers a job; Start runs it. Add after Start is an error.
func (s *Scheduler) Add(job Job) error {
	if job.Name == "" || job.Period <= 0 || job.Run == nil {
		return fmt.Errorf("sqlstore: job %q needs a name, a positive period and a function", job.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return fmt.Errorf("sqlstore: job %q added to a running scheduler", job.Name)
	}
	for _, j := range s.jobs {
		if j.Name == job.Name {
			return fmt.Errorf("sqlstore: job %q added twice", job.Name)
		}
	}
	s.jobs = append(s.jobs, job)
	return nil
}

// Start runs every job in the background, each on its own ticker, trying
// at once and then every tick, until Stop.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for _, job := range s.jobs {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t := time.NewTicker(s.tick(job))
			defer t.Stop()
			for {
				// A run's own failure is logged by RunDue; this is the
				// failure to take the lease or claim the period.
				if ran, err := s.RunDue(ctx, job); err != nil && !ran && ctx.Err() == nil {
					s.logger().Warn("scheduling a background job", "job", job.Name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
}

// Stop ends the jobs' tickers, waits for runs in progress (whose context is
// cancelled) and releases this node's leases, so that another node takes
// them over at its next tick instead of after the TTL.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	s.wg.Wait()
	ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	for _, job := range s.jobs {
		if err := s.lease.Release(ctx, LeaseName(job.Name), s.Holder); err != nil {
			s.logger().Warn("releasing a job's lease", "job", job.Name, "err", err)
		}
	}
}

// RunDue is one tick of job on this node: it runs the job, and reports
// true, when this node holds (or now takes) the job's lease and the current
// period has not been claimed by any node yet. The job's own error is
// returned too, after being recorded.
func (s *Scheduler) RunDue(ctx context.Context, job Job) (ran bool, err error) {
	held, err := s.lease.TryAcquire(ctx, LeaseName(job.Name), s.Holder, s.ttl())
	if err != nil || !held {
		return false, err
	}
	period, claimed, err := s.claim(ctx, job)
	if err != nil || !claimed {
		return false, err
	}
	runErr := job.Run(ctx)
	// The run is recorded even when Stop cancelled it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	recErr := s.finish(rctx, job, period, runErr)
	if s.Observe != nil {
		s.Observe(job.Name, runErr)
	}
	if runErr != nil {
		s.logger().Warn("background job failed", "job", job.Name, "err", runErr)
	}
	if recErr != nil {
		s.logger().Warn("recording a background job's run", "job", job.Name, "err", recErr)
	}
	return true, errors.Join(runErr, recErr)
}

// claim records that this node runs job for the current period, unless a
// node did already; it also forgets runs older than jobRunsKept periods.
func (s *Scheduler) claim(ctx context.Context, job Job) (period time.Time, claimed bool, err error) {
	err = s.db.update(ctx, func(tx *Tx) error {
		period = tx.now.Truncate(job.Period)
		res, err := tx.ExecContext(ctx, `
			INSERT INTO job_runs (job, period_start, holder, started_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (job, period_start) DO NOTHING`,
			job.Name, formatTime(period), s.Holder, formatTime(tx.now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		claimed = n == 1
		if !claimed {
			return nil
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM job_runs WHERE job = $1 AND period_start < $2`,
			job.Name, formatTime(period.Add(-jobRunsKept*job.Period)))
		return err
	})
	return period, claimed, err
}

func (s *Scheduler) finish(ctx context.Context, job Job, period time.Time, runErr error) error {
	var msg *string
	if runErr != nil {
		m := runErr.Error()
		msg = &m
	}
	return s.db.update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_runs SET finished_at = $4, error = $5 WHERE job = $1 AND period_start = $2 AND holder = $3`,
			job.Name, formatTime(period), s.Holder, formatTime(tx.now), msg)
		return err
	})
}

func (s *Scheduler) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultLeaseTTL
	}
	return s.TTL
}

func (s *Scheduler) tick(job Job) time.Duration {
	t := s.Tick
	if t <= 0 {
		t = s.ttl() / 4
	}
	return max(min(t, job.Period/2), time.Millisecond)
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return s.db.Logger
}

// JobRun is one period's run of a job.
type JobRun struct {
	Job         string
	PeriodStart time.Time
	Holder      string
	StartedAt   time.Time
	FinishedAt  time.Time // zero while running, or when the node died
	Error       string    // empty when it succeeded
}

// ListJobRuns returns the recorded runs of job, oldest period first.
func ListJobRuns(ctx context.Context, db *DB, job string) ([]JobRun, error) {
	var runs []JobRun
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT job, period_start, holder, started_at, finished_at, COALESCE(error, '')
			FROM job_runs WHERE job = $1 ORDER BY period_start`, job)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r JobRun
			if err := rows.Scan(&r.Job, scanTime(&r.PeriodStart), &r.Holder, scanTime(&r.StartedAt), scanTime(&r.FinishedAt), &r.Error); err != nil {
				return err
			}
			runs = append(runs, r)
		}
		return rows.Err()
	})
	return runs, err
}
