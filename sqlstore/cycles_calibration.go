package sqlstore

import (
	"context"
	"fmt"
	"time"

	"trellis"
)

// CalibrationEntry is one nomination of a cycle with what the calibration
// view shows beside it: the document with its sections, the candidate (time
// in role, teams, regions), the readiness inputs against the frozen
// framework version (evidence per competency that the candidate's manager
// may see, newest assessments for the target role), the feedback and the
// decision, if any.
type CalibrationEntry struct {
	Document    *trellis.Document
	Candidate   *trellis.Person
	Evidence    []trellis.CompetencyEvidence
	Assessments []*trellis.Assessment
	Feedback    []*trellis.FeedbackRequest
	Decision    *trellis.Decision
}

// calibrationStates are the states of a cycle's nominations.
var calibrationStates = []string{trellis.DocNominated, trellis.DocInCalibration, trellis.DocDecidedYes, trellis.DocDecidedNo,
	trellis.DocEffective, trellis.DocInLibrary}

// Calibration loads everything the calibration view of a cycle shows, in a
// fixed number of queries whatever the number of nominations, ordered by
// target role then document.
func (s *CycleService) Calibration(ctx context.Context, cycleID int64) ([]*CalibrationEntry, error) {
	var out []*CalibrationEntry
	err := s.db.view(ctx, func(tx *Tx) error {
		out = nil
		if _, err := findCycle(ctx, tx, cycleID, false); err != nil {
			return err
		}
		var a args
		docs, err := queryDocuments(ctx, tx, `SELECT `+documentColumns+` FROM documents d WHERE d.cycle_id = `+a.add(cycleID)+
			` AND d.state IN (`+a.placeholders(anys(calibrationStates)...)+`) ORDER BY d.target_role, d.id`, a...)
		if err != nil || len(docs) == 0 {
			return err
		}
		if err := loadSections(ctx, tx, docs); err != nil {
			return err
		}
		byDoc := map[int64]*CalibrationEntry{}
		byPerson := map[int64][]*CalibrationEntry{}
		docIDs, personIDs := make([]int64, 0, len(docs)), make([]int64, 0, len(docs))
		for _, d := range docs {
			e := &CalibrationEntry{Document: d, Evidence: []trellis.CompetencyEvidence{}, Assessments: []*trellis.Assessment{},
				Feedback: []*trellis.FeedbackRequest{}}
			out = append(out, e)
			byDoc[d.ID] = e
			if _, seen := byPerson[d.PersonID]; !seen {
				personIDs = append(personIDs, d.PersonID)
			}
			byPerson[d.PersonID] = append(byPerson[d.PersonID], e)
			docIDs = append(docIDs, d.ID)
		}

		var b args
		people, err := queryPeople(ctx, tx, `SELECT `+personColumns+` FROM people p WHERE `+inIDs(tx, &b, "p.id", personIDs), b...)
		if err != nil {
			return err
		}
		for _, p := range people {
			for _, e := range byPerson[p.ID] {
				e.Candidate = p
			}
		}

		// Evidence per competency the manager may see: every entry but
		// private ones. The candidates' shared entries are read as a set
		// from the index evidence_person_shared (migration 00015, whose
		// condition is the literal one here), rather than each
		// competency's entry looked up in the table to check it.
		var c args
		rows, err := tx.QueryContext(ctx, `
			SELECT ec.person_id, ec.competency, COUNT(*), MAX(ec.date) FROM evidence_competencies ec
			WHERE `+inIDs(tx, &c, "ec.person_id", personIDs)+` AND ec.evidence_id IN (
				SELECT e.id FROM evidence e WHERE `+inIDs(tx, &c, "e.person_id", personIDs)+`
				AND e.visibility <> '`+string(trellis.VisPrivate)+`')
			GROUP BY ec.person_id, ec.competency ORDER BY ec.person_id, ec.competency`, c...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var pid int64
			var ce trellis.CompetencyEvidence
			var newest string
			if err := rows.Scan(&pid, &ce.Competency, &ce.Count, &newest); err != nil {
				rows.Close()
				return err
			}
			if ce.Newest, err = time.Parse(dateFormat, newest); err != nil {
				rows.Close()
				return fmt.Errorf("sqlstore: evidence date %q: %w", newest, err)
			}
			for _, e := range byPerson[pid] {
				e.Evidence = append(e.Evidence, ce)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		// The newest assessment per competency and kind, for each
		// document's framework version and target role.
		var d args
		rows, err = tx.QueryContext(ctx, `
			SELECT person_id, framework_id, framework_version, role_id, competency, by_kind, rating, comment, assessor_id, at
			FROM assessments WHERE `+inIDs(tx, &d, "person_id", personIDs)+`
			ORDER BY person_id, framework_id, framework_version, role_id, competency, by_kind DESC, at DESC, id DESC`, d...)
		if err != nil {
			return err
		}
		for rows.Next() {
			as := new(trellis.Assessment)
			if err := rows.Scan(&as.PersonID, &as.FrameworkID, &as.FrameworkVersion, &as.RoleID, &as.Competency, &as.By,
				&as.Rating, &as.Comment, &as.AssessorID, scanTime(&as.At)); err != nil {
				rows.Close()
				return err
			}
			for _, e := range byPerson[as.PersonID] {
				doc := e.Document
				if as.FrameworkID != doc.FrameworkID || as.FrameworkVersion != doc.FrameworkVersion || as.RoleID != doc.TargetRole {
					continue
				}
				if n := len(e.Assessments); n > 0 && e.Assessments[n-1].Competency == as.Competency && e.Assessments[n-1].By == as.By {
					continue // an older one of the same kind
				}
				e.Assessments = append(e.Assessments, as)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		var f args
		rows, err = tx.QueryContext(ctx, `SELECT `+feedbackColumns+` FROM feedback_requests
			WHERE `+inIDs(tx, &f, "document_id", docIDs)+` ORDER BY id`, f...)
		if err != nil {
			return err
		}
		for rows.Next() {
			fb, err := scanFeedback(rows)
			if err != nil {
				rows.Close()
				return err
			}
			byDoc[fb.DocumentID].Feedback = append(byDoc[fb.DocumentID].Feedback, fb)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		decisions, err := queryDecisions(ctx, tx, cycleID)
		if err != nil {
			return err
		}
		for _, dec := range decisions {
			if e := byDoc[dec.DocumentID]; e != nil {
				e.Decision = dec
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []*CalibrationEntry{}
	}
	return out, nil
}

// inIDs returns the condition that col holds one of ids: on PostgreSQL
// = ANY of one array parameter, which keeps one statement text (and one
// prepared statement) whatever the number of ids; on SQLite an IN list.
func inIDs(tx *Tx, a *args, col string, ids []int64) string {
	if tx.db.Dialect == Postgres {
		return col + " = ANY (" + a.add(ids) + "::bigint[])"
	}
	return col + " IN (" + a.placeholders(anys(ids)...) + ")"
}
