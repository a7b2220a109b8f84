-- Peer-manager review has a deadline. Each move of a document into
-- peer-review starts a round: its comments-due day (due, YYYY-MM-DD; the
-- comments are due by the end of that day, UTC), who opened it and when.
-- The move out of peer-review closes the round (closed_at, closed_by). A
-- document has at most one open round. Reminders of a round are keyed by
-- its id in reminders_sent, so a second round reminds again.
--
-- document_comments.late marks a comment on the review copy made after the
-- due day of the document's latest round: still welcome, shown as late.
--
-- Documents already in peer-review get an open round as if the deadline had
-- been there: opened at their latest move into peer-review (the revision
-- that recorded it; the last update when there is none), due a week later,
-- which is five working days from a working day.

-- +goose Up
CREATE TABLE peer_reviews (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    due         TEXT    NOT NULL,
    opened_by   INTEGER REFERENCES people (id),
    opened_at   TEXT    NOT NULL,
    closed_by   INTEGER REFERENCES people (id),
    closed_at   TEXT
);
CREATE INDEX peer_reviews_document ON peer_reviews (document_id, id);
CREATE UNIQUE INDEX peer_reviews_open ON peer_reviews (document_id) WHERE closed_at IS NULL;
CREATE INDEX peer_reviews_due ON peer_reviews (due, id) WHERE closed_at IS NULL;

ALTER TABLE document_comments ADD COLUMN late BOOLEAN NOT NULL DEFAULT 0;

INSERT INTO peer_reviews (document_id, due, opened_at)
SELECT id, date(substr(opened, 1, 10), '+7 days'), opened FROM (
    SELECT d.id, COALESCE((SELECT MAX(r.at) FROM document_revisions r
        WHERE r.document_id = d.id AND r.note LIKE 'moved to peer-review%'), d.updated_at) AS opened
    FROM documents d WHERE d.state = 'peer-review'
) ORDER BY id;

-- +goose Down
ALTER TABLE document_comments DROP COLUMN late;
DROP TABLE peer_reviews;
