-- Coffee chats and ask-me-anything requests between two people, each side's
-- private notes, ask-me-anything sessions per role, and mentoring: pairing
-- sessions and office hours with their attendees, structured mentorships
-- and their check-ins. Dates are text (2006-01-02), times UTC text.

-- +goose Up
CREATE TABLE chats (
    id           INTEGER PRIMARY KEY,
    requester_id INTEGER NOT NULL REFERENCES people (id),
    recipient_id INTEGER NOT NULL REFERENCES people (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('coffee', 'ama')),
    note         TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'proposed')),
    proposed_at  TEXT,
    proposed_by  INTEGER REFERENCES people (id),
    answer       TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    CHECK (requester_id <> recipient_id)
);
CREATE INDEX chats_requester ON chats (requester_id, id);
CREATE INDEX chats_recipient ON chats (recipient_id, id);

-- One private note per side of a chat: only its author ever reads it.
CREATE TABLE chat_notes (
    chat_id    INTEGER NOT NULL REFERENCES chats (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    note       TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (chat_id, person_id)
);

CREATE TABLE role_amas (
    id            INTEGER PRIMARY KEY,
    framework_id  TEXT    NOT NULL,
    role_id       TEXT    NOT NULL,
    date          TEXT    NOT NULL,
    host_id       INTEGER NOT NULL REFERENCES people (id),
    topic         TEXT    NOT NULL,
    recording_url TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES people (id),
    created_at    TEXT    NOT NULL
);
CREATE INDEX role_amas_role ON role_amas (framework_id, role_id, date);

CREATE TABLE mentoring_sessions (
    id          INTEGER PRIMARY KEY,
    host_id     INTEGER NOT NULL REFERENCES people (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('pairing-session', 'office-hours')),
    date        TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    minutes     INTEGER NOT NULL,
    link        TEXT    NOT NULL DEFAULT '',
    evidence_id INTEGER REFERENCES evidence (id),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX mentoring_sessions_host ON mentoring_sessions (host_id, date, id);

CREATE TABLE mentoring_attendees (
    session_id INTEGER NOT NULL REFERENCES mentoring_sessions (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX mentoring_attendees_person ON mentoring_attendees (person_id, session_id);

CREATE TABLE mentorships (
    id         INTEGER PRIMARY KEY,
    mentor_id  INTEGER NOT NULL REFERENCES people (id),
    mentee_id  INTEGER NOT NULL REFERENCES people (id),
    goal       TEXT    NOT NULL,
    starts_on  TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL,
    outcome    TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    CHECK (mentor_id <> mentee_id)
);
CREATE INDEX mentorships_mentor ON mentorships (mentor_id, id);
CREATE INDEX mentorships_mentee ON mentorships (mentee_id, id);

CREATE TABLE mentorship_checkins (
    id            INTEGER PRIMARY KEY,
    mentorship_id INTEGER NOT NULL REFERENCES mentorships (id),
    author_id     INTEGER NOT NULL REFERENCES people (id),
    date          TEXT    NOT NULL,
    notes         TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX mentorship_checkins_mentorship ON mentorship_checkins (mentorship_id, date, id);

-- +goose Down
DROP TABLE mentorship_checkins;
DROP TABLE mentorships;
DROP TABLE mentoring_attendees;
DROP TABLE mentoring_sessions;
DROP TABLE role_amas;
DROP TABLE chat_notes;
DROP TABLE chats;
