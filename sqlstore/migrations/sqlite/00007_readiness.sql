-- Readiness inputs: assessments (every one kept; the newest per competency
-- and assessor kind counts) and the checklist of considerations and
-- resources per person and target role.

-- +goose Up
CREATE TABLE assessments (
    id                INTEGER PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES people (id),
    framework_id      TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    role_id           TEXT NOT NULL,
    competency        TEXT NOT NULL,
    by_kind           TEXT NOT NULL CHECK (by_kind IN ('self', 'manager')),
    rating            TEXT    NOT NULL,
    comment           TEXT    NOT NULL DEFAULT '',
    assessor_id       INTEGER NOT NULL,
    at                TEXT NOT NULL
);
CREATE INDEX assessments_person ON assessments (person_id, framework_id, framework_version, role_id, competency, by_kind, at, id);

CREATE TABLE checklist_items (
    person_id    INTEGER NOT NULL REFERENCES people (id),
    framework_id TEXT NOT NULL,
    role_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('consideration', 'resource')),
    key          TEXT NOT NULL,
    state        TEXT    NOT NULL,
    evidence_ids TEXT    NOT NULL DEFAULT '[]',
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (person_id, framework_id, role_id, kind, key)
);

-- +goose Down
DROP TABLE checklist_items;
DROP TABLE assessments;
