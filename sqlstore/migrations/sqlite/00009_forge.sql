-- Evidence from where the work happens: a person's connections to GitLab
-- and GitHub, the items imported from them for the person to accept or
-- dismiss, and the runs of each sync. Tokens are stored sealed (AES-GCM,
-- "v1:..."), never in the clear. state is a JSON object of stream ->
-- update time of the newest item stored from it. An item is unique per
-- forge instance and external id, so a sync over the same window adds
-- nothing; items stay when their connection is removed. evidence_id names
-- the entry an accepted item became (no foreign key: deleting the entry
-- leaves the item accepted).

-- +goose Up
CREATE TABLE forge_accounts (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people (id),
    kind           TEXT    NOT NULL,
    base_url       TEXT    NOT NULL,
    username       TEXT    NOT NULL,
    token          TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL DEFAULT '{}',
    last_synced_at TEXT,
    created_at     TEXT    NOT NULL,
    UNIQUE (person_id, kind, base_url, username)
);

CREATE TABLE forge_items (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people (id),
    kind            TEXT    NOT NULL,
    base_url        TEXT    NOT NULL,
    external_id     TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    project         TEXT    NOT NULL DEFAULT '',
    labels          TEXT    NOT NULL DEFAULT '[]',
    merged_at       TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    activity        TEXT    NOT NULL DEFAULT '',
    activity_reason TEXT    NOT NULL DEFAULT '',
    suggestions     TEXT    NOT NULL DEFAULT '[]',
    status          TEXT    NOT NULL DEFAULT 'pending',
    evidence_id     INTEGER,
    created_at      TEXT    NOT NULL,
    decided_at      TEXT,
    UNIQUE (kind, base_url, external_id)
);
CREATE INDEX forge_items_person ON forge_items (person_id, status, merged_at DESC, id DESC);

CREATE TABLE forge_runs (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    account     TEXT    NOT NULL,
    started_at  TEXT    NOT NULL,
    finished_at TEXT,
    added       INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    resume_at   TEXT
);
CREATE INDEX forge_runs_person ON forge_runs (person_id, started_at DESC, id DESC);

-- +goose Down
DROP TABLE forge_runs;
DROP TABLE forge_items;
DROP TABLE forge_accounts;
