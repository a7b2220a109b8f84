-- Delivery of notifications beyond the inbox: each person's preferences, an
-- outbox of deliveries written in the same transaction as the inbox row,
-- every attempt at sending one, and the reminders already sent (so a
-- scheduled reminder goes out once per period).
--
-- A delivery is claimed by a sender with a conditional UPDATE (status
-- pending -> sending, claim token, claim_expires); a sender that dies
-- mid-send leaves the claim to expire and the delivery is tried again.

-- +goose Up
CREATE TABLE notification_prefs (
    person_id   INTEGER NOT NULL PRIMARY KEY REFERENCES people (id),
    email       BOOLEAN NOT NULL,
    digest      BOOLEAN NOT NULL,
    webhook_url TEXT    NOT NULL DEFAULT '',
    muted       TEXT    NOT NULL DEFAULT '',  -- kinds, one per line
    updated_at  TEXT    NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people (id),
    notification_id INTEGER REFERENCES notifications (id),
    channel         TEXT    NOT NULL,          -- email, webhook
    target          TEXT    NOT NULL,          -- address or URL when enqueued
    kind            TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,          -- held, pending, sending, sent, failed, digested
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         TEXT    NOT NULL,          -- due from
    claim           TEXT,                      -- the sender's token while sending
    claim_expires   TEXT,
    last_error      TEXT    NOT NULL DEFAULT '',
    digest_id       INTEGER REFERENCES deliveries (id),
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX deliveries_due ON deliveries (status, next_at);
CREATE INDEX deliveries_person ON deliveries (person_id, status);

CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
    at          TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

CREATE TABLE reminders_sent (
    key       TEXT NOT NULL PRIMARY KEY,        -- reminder, period and people, e.g. conversation/2026-Q4/7/12
    person_id INTEGER NOT NULL REFERENCES people (id),
    sent_at   TEXT NOT NULL
);

-- +goose Down
DROP TABLE reminders_sent;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE notification_prefs;
