-- Projection history: every saved state of a manager's projection of a
-- candidate, by hand on the projections page or by a workflow move of the
-- candidate's promotion document (nominated, promoted, not this cycle).
-- The projection itself holds only its latest state; the history keeps
-- what came before, so a "not this cycle" still shows the nomination it
-- ended. document_id and workflow_move name the document and the workflow
-- move that set the state (workflow_move is the move's audit action, such
-- as document.nominate); both are NULL for a change by hand. changed_by is
-- the signed-in actor, NULL when no one was.
--
-- The projections that exist already start their history with their
-- present state.

-- +goose Up
CREATE TABLE projection_history (
    id            INTEGER PRIMARY KEY,
    projection_id INTEGER NOT NULL REFERENCES projections (id),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    manager_id    INTEGER NOT NULL REFERENCES people (id),
    target_role   TEXT    NOT NULL,
    cycle_id      INTEGER REFERENCES cycles (id),
    status        TEXT    NOT NULL,
    note          TEXT    NOT NULL DEFAULT '',
    document_id   INTEGER REFERENCES documents (id),
    workflow_move TEXT,
    changed_by    INTEGER REFERENCES people (id),
    changed_at    TEXT    NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX projection_history_person ON projection_history (person_id, id);

INSERT INTO projection_history (projection_id, person_id, manager_id, target_role, cycle_id, status, note, changed_at, version)
SELECT id, person_id, manager_id, target_role, cycle_id, status, note, updated_at, version FROM projections ORDER BY id;

-- +goose Down
DROP TABLE projection_history;
