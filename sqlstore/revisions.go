package sqlstore

import (
	"context"
	"sync"
	"time"

	"trellis"
)

// revisionsTable holds the counters that triggers move (migration 00014);
// it is derived state, left out of export-all.
const revisionsTable = "revisions"

// RevisionService implements trellis.RevisionService.
//
// Every request of the server reads the counters, so reads that arrive
// together share one statement, the way a database shares one log flush
// among the commits that wait for it: a read joins the batch being
// gathered, and a batch's statement starts only once the statement before
// it has answered. Each read is therefore answered by a statement that
// began after the read was asked for, and sees every write committed
// before then, exactly as a statement of its own would; under load one
// round trip answers many requests. Only one statement is out at a time.
type RevisionService struct {
	db *DB

	mu      sync.Mutex
	next    *revisionBatch // the batch being gathered; nil when none
	running bool           // a batch's statement is out
}

// revisionBatch is the reads that share one statement.
type revisionBatch struct {
	people map[int64]bool
	done   chan struct{}
	access int64
	growth map[int64]int64
	err    error
}

// revisionTimeout bounds a batch's statement, which runs on behalf of
// several requests and so not under any one's context.
const revisionTimeout = 10 * time.Second

// NewRevisionService returns the revision counters of db.
func NewRevisionService(db *DB) *RevisionService { return &RevisionService{db: db} }

var _ trellis.RevisionService = (*RevisionService)(nil)

// Revisions reads the access counter and, for personID other than 0, that
// person's growth counter (0 for someone who never had a growth write).
func (s *RevisionService) Revisions(ctx context.Context, personID int64) (access, growth int64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	s.mu.Lock()
	b := s.next
	if b == nil {
		b = &revisionBatch{people: map[int64]bool{}, done: make(chan struct{})}
		s.next = b
	}
	if personID != 0 {
		b.people[personID] = true
	}
	lead := !s.running
	if lead {
		s.running, s.next = true, nil
	}
	s.mu.Unlock()
	if lead {
		s.run(context.WithoutCancel(ctx), b)
	}
	select {
	case <-b.done:
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
	return b.access, b.growth[personID], b.err
}

// run answers batch b, then hands the batch gathered meanwhile, if any, to
// a goroutine of its own, so that the caller returns with its answer.
func (s *RevisionService) run(base context.Context, b *revisionBatch) {
	ctx, cancel := context.WithTimeout(base, revisionTimeout)
	b.access, b.growth, b.err = s.read(ctx, b.people)
	cancel()
	close(b.done)
	s.mu.Lock()
	next := s.next
	s.next = nil
	s.running = next != nil
	s.mu.Unlock()
	if next != nil {
		go s.run(base, next)
	}
}

// read runs one batch's statement: primary-key look-ups of the access
// counter and of each person's.
func (s *RevisionService) read(ctx context.Context, people map[int64]bool) (int64, map[int64]int64, error) {
	var a args
	q := `SELECT 'access', 0, n FROM revisions WHERE scope = 'access' AND id = 0`
	if len(people) > 0 {
		ids := make([]any, 0, len(people))
		for id := range people {
			ids = append(ids, id)
		}
		q += ` UNION ALL SELECT scope, id, n FROM revisions WHERE scope = 'person' AND id IN (` + a.placeholders(ids...) + `)`
	}
	rows, err := s.db.db.QueryContext(ctx, q, a...)
	if err != nil {
		return 0, nil, translate(err)
	}
	defer rows.Close()
	var access int64
	growth := make(map[int64]int64, len(people))
	for rows.Next() {
		var scope string
		var id, n int64
		if err := rows.Scan(&scope, &id, &n); err != nil {
			return 0, nil, translate(err)
		}
		if scope == "access" {
			access = n
		} else {
			growth[id] = n
		}
	}
	return access, growth, translate(rows.Err())
}
