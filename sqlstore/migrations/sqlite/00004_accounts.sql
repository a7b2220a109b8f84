-- Sign-in: password hashes, single sign-on identities, recent sign-in
-- attempts (for throttling across nodes), API tokens, reset links and
-- browser sessions. Secrets are stored only as digests (auth.HashToken).

-- +goose Up
CREATE TABLE passwords (
    person_id  INTEGER NOT NULL PRIMARY KEY REFERENCES people (id),
    hash       TEXT    NOT NULL,     -- argon2id PHC string
    updated_at TEXT    NOT NULL
);

CREATE TABLE identities (
    provider   TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    created_at TEXT    NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX identities_person ON identities (person_id);

CREATE TABLE signin_attempts (
    at    TEXT    NOT NULL,
    email TEXT    NOT NULL,          -- normalised address tried, whether or not it exists
    ip    TEXT    NOT NULL,
    ok    BOOLEAN NOT NULL
);
CREATE INDEX signin_attempts_email ON signin_attempts (email, at);
CREATE INDEX signin_attempts_ip ON signin_attempts (ip, at);
CREATE INDEX signin_attempts_at ON signin_attempts (at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    name         TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    scope        TEXT    NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id, created_at);

CREATE TABLE reset_links (
    id         INTEGER PRIMARY KEY,
    hash       TEXT    NOT NULL UNIQUE,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    created_by INTEGER REFERENCES people (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX reset_links_person ON reset_links (person_id);

CREATE TABLE sessions (
    token  TEXT NOT NULL PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE reset_links;
DROP TABLE api_tokens;
DROP TABLE signin_attempts;
DROP TABLE identities;
DROP TABLE passwords;
