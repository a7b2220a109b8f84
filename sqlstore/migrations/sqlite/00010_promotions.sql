-- Promotions: cycles, promotion documents (one row per section, each with a
-- version of its own), revisions, comments, feedback requests, projections,
-- decisions and the in-app notification inbox.
--
-- documents.body is the text of every section in template order, kept by the
-- write paths: the library searches it. documents.listed says whether the
-- document is in the library (completed with the owner's consent, or in
-- progress and open to the organisation); the write paths set it in the
-- same transaction as the change that decides it. library_fts is the
-- full-text index of the listed documents only: a document enters it when
-- it becomes listed and leaves it when it stops being listed, so a search
-- never meets a private draft. document_competencies repeats the
-- competencies of the template's sections for the library's filter.

-- +goose Up
CREATE TABLE cycles (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    phases         TEXT    NOT NULL,          -- JSON: phase -> start day (2006-01-02)
    effective_date TEXT,                      -- the effective phase's day, repeated for queries
    created_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL
);

CREATE TABLE documents (
    id                INTEGER PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES people (id),
    manager_id        INTEGER REFERENCES people (id),
    target_role       TEXT    NOT NULL,
    framework_id      TEXT    NOT NULL,
    framework_version TEXT    NOT NULL,
    frozen            BOOLEAN NOT NULL DEFAULT 0,
    template_id       TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL,
    visibility        TEXT    NOT NULL,
    share_in_library  BOOLEAN NOT NULL DEFAULT 0,
    listed            BOOLEAN NOT NULL DEFAULT 0,
    cycle_id          INTEGER REFERENCES cycles (id),
    out_of_cycle      BOOLEAN NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    submitted_at      TEXT,
    version           INTEGER NOT NULL
);
CREATE INDEX documents_person ON documents (person_id, id);
CREATE INDEX documents_manager ON documents (manager_id, id);
CREATE INDEX documents_cycle ON documents (cycle_id, state, id);
CREATE INDEX documents_library ON documents (updated_at DESC, id DESC) WHERE listed;
CREATE INDEX documents_library_role ON documents (target_role, updated_at DESC, id DESC) WHERE listed;

CREATE TABLE document_sections (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    section_id  TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    text        TEXT    NOT NULL DEFAULT '',
    version     INTEGER NOT NULL,
    edited_by   INTEGER REFERENCES people (id),
    edited_at   TEXT    NOT NULL,
    PRIMARY KEY (document_id, section_id)
);

CREATE TABLE document_competencies (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    competency  TEXT    NOT NULL,
    PRIMARY KEY (document_id, competency)
);
CREATE INDEX document_competencies_competency ON document_competencies (competency, document_id);

CREATE TABLE document_revisions (
    document_id INTEGER NOT NULL REFERENCES documents (id),
    revision    INTEGER NOT NULL,
    sections    TEXT    NOT NULL,             -- JSON array of DocumentSection
    state       TEXT    NOT NULL,
    author_id   INTEGER REFERENCES people (id),
    started_at  TEXT    NOT NULL,             -- an autosave run's first save
    at          TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    autosave    BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (document_id, revision)
);

CREATE TABLE document_comments (
    id          INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (id),
    section_id  TEXT    NOT NULL,
    thread_id   INTEGER REFERENCES document_comments (id),
    author_id   INTEGER NOT NULL REFERENCES people (id),
    text        TEXT    NOT NULL,
    review_copy BOOLEAN NOT NULL DEFAULT 0,
    resolved_at TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX document_comments_document ON document_comments (document_id, review_copy, id);

CREATE TABLE feedback_requests (
    id            INTEGER PRIMARY KEY,
    document_id   INTEGER NOT NULL REFERENCES documents (id),
    reviewer_id   INTEGER NOT NULL REFERENCES people (id),
    requested_by  INTEGER NOT NULL REFERENCES people (id),
    start_text    TEXT    NOT NULL DEFAULT '',
    stop_text     TEXT    NOT NULL DEFAULT '',
    continue_text TEXT    NOT NULL DEFAULT '',
    support       TEXT    NOT NULL DEFAULT '',
    due           TEXT,
    answered_at   TEXT,
    created_at    TEXT    NOT NULL,
    UNIQUE (document_id, reviewer_id)
);
CREATE INDEX feedback_requests_reviewer ON feedback_requests (reviewer_id, id);

CREATE TABLE projections (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL UNIQUE REFERENCES people (id),
    manager_id  INTEGER NOT NULL REFERENCES people (id),
    target_role TEXT    NOT NULL,
    cycle_id    INTEGER REFERENCES cycles (id),
    status      TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX projections_manager ON projections (manager_id, id);

CREATE TABLE decisions (
    document_id INTEGER NOT NULL PRIMARY KEY REFERENCES documents (id),
    cycle_id    INTEGER REFERENCES cycles (id),
    approved    BOOLEAN NOT NULL,
    rationale   TEXT    NOT NULL,
    decided_by  INTEGER NOT NULL REFERENCES people (id),
    decided_at  TEXT    NOT NULL
);
CREATE INDEX decisions_cycle ON decisions (cycle_id, document_id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    url        TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_person ON notifications (person_id, id DESC);
CREATE INDEX notifications_unread ON notifications (person_id, id DESC) WHERE read_at IS NULL;

CREATE VIRTUAL TABLE library_fts USING fts5 (
    title, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- +goose Down
DROP TABLE library_fts;
DROP TABLE notifications;
DROP TABLE decisions;
DROP TABLE projections;
DROP TABLE feedback_requests;
DROP TABLE document_comments;
DROP TABLE document_revisions;
DROP TABLE document_competencies;
DROP TABLE document_sections;
DROP TABLE documents;
DROP TABLE cycles;
