package trellis

import "context"

// RevisionService reads counters that the store moves whenever what they
// cover changes, in the same transaction as the change, whichever node or
// command made it. What was computed from the store can be kept under the
// counters read before computing it: as long as they read the same, it is
// still what the store would give.
type RevisionService interface {
	// Revisions reads the access revision and, for personID other than 0,
	// that person's growth revision (0 for someone who never had any; 0
	// too when personID is 0).
	//
	// The access revision covers what deciding who acts and what they may
	// do reads: people, their teams and regions, API tokens being revoked
	// or shortened, frameworks and their versions. A growth revision
	// covers one person's growth record: journal entries, growth plan and
	// its history, career conversations, assessments and readiness
	// checklist.
	Revisions(ctx context.Context, personID int64) (access, growth int64, err error)
}
