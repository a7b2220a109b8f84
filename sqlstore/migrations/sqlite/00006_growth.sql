-- Growth plans, their history and career conversations. A plan is stored
-- whole as JSON (reflection and goals): it is read and written as one
-- document. plan_history keeps each period's plan as it stood when the plan
-- was refreshed.

-- +goose Up
CREATE TABLE growth_plans (
    person_id        INTEGER NOT NULL PRIMARY KEY REFERENCES people (id),
    period           TEXT NOT NULL,
    plan             TEXT    NOT NULL,
    target_role_id   TEXT    NOT NULL DEFAULT '',
    target_framework TEXT    NOT NULL DEFAULT '',
    updated_at       TEXT    NOT NULL,
    version          INTEGER NOT NULL
);

CREATE TABLE plan_history (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    period      TEXT NOT NULL,
    plan        TEXT    NOT NULL,
    archived_at TEXT    NOT NULL
);
CREATE INDEX plan_history_person ON plan_history (person_id, id);

CREATE TABLE conversations (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    manager_id   INTEGER NOT NULL REFERENCES people (id),
    date         TEXT NOT NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    recorded_at  TEXT    NOT NULL,
    confirmed_at TEXT
);
CREATE INDEX conversations_person ON conversations (person_id, date, id);

-- +goose Down
DROP TABLE conversations;
DROP TABLE plan_history;
DROP TABLE growth_plans;
