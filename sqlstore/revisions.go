package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"trellis"
)

// revisionsTable holds the counters that triggers move (migration 00014);
// it is derived state, left out of export-all.
const revisionsTable = "revisions"

// RevisionService implements trellis.RevisionService.
type RevisionService struct{ db *DB }

// NewRevisionService returns the revision counters of db.
func NewRevisionService(db *DB) *RevisionService { return &RevisionService{db: db} }

var _ trellis.RevisionService = (*RevisionService)(nil)

// AccessRevision reads the counter of people, tokens and frameworks. It is
// one statement outside any transaction: it runs on every request.
func (s *RevisionService) AccessRevision(ctx context.Context) (int64, error) {
	return s.read(ctx, "access", 0)
}

// GrowthRevision reads the counter of one person's growth record.
func (s *RevisionService) GrowthRevision(ctx context.Context, personID int64) (int64, error) {
	return s.read(ctx, "person", personID)
}

// Revisions reads both counters in one statement: one round trip where a
// request needs both.
func (s *RevisionService) Revisions(ctx context.Context, personID int64) (access, growth int64, err error) {
	// Two primary-key look-ups; an OR of both keys made PostgreSQL build
	// and combine two bitmaps.
	err = s.db.db.QueryRowContext(ctx, `
		SELECT COALESCE((SELECT n FROM revisions WHERE scope = 'access' AND id = 0), 0),
		       COALESCE((SELECT n FROM revisions WHERE scope = 'person' AND id = $1), 0)`, personID).Scan(&access, &growth)
	return access, growth, translate(err)
}

func (s *RevisionService) read(ctx context.Context, scope string, id int64) (int64, error) {
	var n int64
	err := s.db.db.QueryRowContext(ctx, `SELECT n FROM revisions WHERE scope = $1 AND id = $2`, scope, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, translate(err)
}
