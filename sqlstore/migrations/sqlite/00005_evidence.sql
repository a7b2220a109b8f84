-- The evidence journal. Dates are text (2006-01-02), times UTC text as
-- elsewhere; links, competencies and values are JSON arrays of strings.
-- evidence_competencies repeats each entry's competencies with its person and
-- date, so that readiness (count and newest entry per competency of one
-- person) is read from one covering index and never touches the entries.
-- evidence_fts is the full-text index over the entries' text (external
-- content: the text lives in evidence only). The service keeps it in step in
-- the transaction of every write. person_key ("p" and the person id) is
-- indexed as a column of its own so that a search is one FTS5 query scoped
-- to one person.

-- +goose Up
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    date         TEXT    NOT NULL,
    end_date     TEXT,
    title        TEXT    NOT NULL,
    what         TEXT    NOT NULL DEFAULT '',
    part         TEXT    NOT NULL DEFAULT '',
    result       TEXT    NOT NULL DEFAULT '',
    links        TEXT    NOT NULL DEFAULT '[]',
    competencies TEXT    NOT NULL DEFAULT '[]',
    activity     TEXT    NOT NULL DEFAULT '',
    "values"     TEXT    NOT NULL DEFAULT '[]',
    visibility   TEXT    NOT NULL,
    framework_id TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    person_key   TEXT    GENERATED ALWAYS AS ('p' || person_id) VIRTUAL
);
CREATE INDEX evidence_person_date ON evidence (person_id, date DESC, id DESC);

CREATE TABLE evidence_competencies (
    evidence_id INTEGER NOT NULL REFERENCES evidence (id),
    competency  TEXT    NOT NULL,
    person_id   INTEGER NOT NULL,
    date        TEXT    NOT NULL,
    PRIMARY KEY (evidence_id, competency)
);
CREATE INDEX evidence_competencies_person ON evidence_competencies (person_id, competency, date);

CREATE VIRTUAL TABLE evidence_fts USING fts5 (
    title, what, part, result, person_key,
    content = 'evidence', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- +goose Down
DROP TABLE evidence_fts;
DROP TABLE evidence_competencies;
DROP TABLE evidence;
