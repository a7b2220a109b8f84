package trellis

import "context"

// RevisionService reads counters that the store moves whenever what they
// cover changes, in the same transaction as the change, whichever node or
// command made it. What was computed from the store can be kept under the
// counters read before computing it: as long as they read the same, it is
// still what the store would give.
type RevisionService interface {
	// AccessRevision covers what deciding who acts and what they may do
	// reads: people, their teams and regions, API tokens being revoked or
	// shortened, frameworks and their versions.
	AccessRevision(ctx context.Context) (int64, error)
	// GrowthRevision covers one person's growth record: journal entries,
	// growth plan and its history, career conversations, assessments and
	// readiness checklist. It is 0 for someone who never had any.
	GrowthRevision(ctx context.Context, personID int64) (int64, error)
	// Revisions reads the access revision and one person's growth
	// revision at once.
	Revisions(ctx context.Context, personID int64) (access, growth int64, err error)
}
