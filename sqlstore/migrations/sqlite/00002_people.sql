-- People and the reporting lines between them. Times are UTC text, fixed
-- width; role_since is a date (2006-01-02).

-- +goose Up
CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,   -- normalised: trimmed, lower case
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,          -- lower-cased name: directory order and search
    role_id    TEXT    NOT NULL,
    manager_id INTEGER REFERENCES people (id),
    role_since TEXT,
    access     TEXT    NOT NULL,
    active     BOOLEAN NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    CHECK (manager_id IS NULL OR manager_id <> id)
);
CREATE INDEX people_directory ON people (name_key, id);
CREATE INDEX people_manager ON people (manager_id, name_key);
CREATE INDEX people_role ON people (role_id);

-- Team and region tags, in the order the person lists them. tag_key is the
-- lower-cased tag: filters compare case-insensitively.
CREATE TABLE person_tags (
    person_id INTEGER NOT NULL REFERENCES people (id),
    kind      TEXT    NOT NULL CHECK (kind IN ('team', 'region')),
    position  INTEGER NOT NULL,
    tag       TEXT    NOT NULL,
    tag_key   TEXT    NOT NULL,
    PRIMARY KEY (person_id, kind, tag_key)
);
CREATE INDEX person_tags_filter ON person_tags (kind, tag_key, person_id);

-- +goose Down
DROP TABLE person_tags;
DROP TABLE people;
