-- Career frameworks: immutable versions, and which version of each id is active.
-- Times are UTC text, fixed width (2006-01-02T15:04:05.000000Z), so they sort as text.

-- +goose Up
CREATE TABLE frameworks (
    id             TEXT NOT NULL PRIMARY KEY,
    active_version TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    FOREIGN KEY (id, active_version) REFERENCES framework_versions (framework_id, version)
        DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE framework_versions (
    framework_id       TEXT    NOT NULL REFERENCES frameworks (id),
    version            TEXT    NOT NULL,
    seq                INTEGER NOT NULL, -- import order within the framework, from 1
    name               TEXT    NOT NULL,
    hash               TEXT    NOT NULL, -- trellis.Framework.Hash() of content
    content            TEXT    NOT NULL, -- the framework as JSON
    roles_count        INTEGER NOT NULL,
    competencies_count INTEGER NOT NULL,
    imported_at        TEXT    NOT NULL,
    PRIMARY KEY (framework_id, version),
    UNIQUE (framework_id, seq)
);

-- +goose Down
DROP TABLE framework_versions;
DROP TABLE frameworks;
