-- Openings (internal postings), the interest people express in them and
-- subscriptions to new ones; development programmes and their participants;
-- interim and acting assignments. Dates are YYYY-MM-DD text.

-- +goose Up
CREATE TABLE openings (
    id                INTEGER PRIMARY KEY,
    framework_id      TEXT NOT NULL,
    role_id           TEXT NOT NULL,
    track             TEXT NOT NULL DEFAULT '',
    team              TEXT NOT NULL DEFAULT '',
    region            TEXT NOT NULL DEFAULT '',
    arrangement       TEXT NOT NULL,
    opens_on          TEXT NOT NULL,
    closes_on         TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    hiring_manager_id INTEGER NOT NULL REFERENCES people (id),
    state             TEXT NOT NULL,
    created_by        INTEGER NOT NULL REFERENCES people (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL
);
CREATE INDEX openings_state ON openings (state, closes_on, id);

CREATE TABLE opening_interest (
    opening_id INTEGER NOT NULL REFERENCES openings (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (opening_id, person_id)
);

CREATE TABLE opening_subscriptions (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    role_id    TEXT NOT NULL DEFAULT '',
    track      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (person_id, role_id, track)
);
CREATE INDEX opening_subscriptions_role ON opening_subscriptions (role_id);
CREATE INDEX opening_subscriptions_track ON opening_subscriptions (track);

CREATE TABLE programmes (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    min_months_in_role INTEGER NOT NULL,
    manager_approval   BOOLEAN NOT NULL,
    themes             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    version            INTEGER NOT NULL
);

CREATE TABLE programme_participants (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    note         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    approved_by  INTEGER REFERENCES people (id),
    mentor_id    INTEGER REFERENCES people (id),
    outcome      TEXT NOT NULL DEFAULT '',
    outcome_note TEXT NOT NULL DEFAULT '',
    applied_at   TEXT NOT NULL,
    UNIQUE (programme_id, person_id)
);

CREATE TABLE assignments (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people (id),
    kind             TEXT NOT NULL,
    role_id          TEXT NOT NULL,
    starts_on        TEXT NOT NULL,
    ends_on          TEXT NOT NULL,
    success_criteria TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL DEFAULT '',
    return_role_id   TEXT NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL REFERENCES people (id),
    created_at       TEXT NOT NULL,
    version          INTEGER NOT NULL
);
CREATE INDEX assignments_person ON assignments (person_id, starts_on);

-- +goose Down
DROP TABLE assignments;
DROP TABLE programme_participants;
DROP TABLE programmes;
DROP TABLE opening_subscriptions;
DROP TABLE opening_interest;
DROP TABLE openings;
