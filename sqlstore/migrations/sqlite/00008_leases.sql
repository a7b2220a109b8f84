-- Leases and job runs, so that several servers on one database behave as
-- one: a lease names the one node that runs a scheduled job for now, and a
-- job run claims a job's period so that it runs once per period whichever
-- node runs it. Times are fixed-width UTC text, compared as text.

-- +goose Up
CREATE TABLE leases (
    name        TEXT NOT NULL PRIMARY KEY,
    holder      TEXT NOT NULL,           -- host, process id and a random part
    acquired_at TEXT NOT NULL,           -- when this holder took it
    expires_at  TEXT NOT NULL            -- free for another holder after this
);

CREATE TABLE job_runs (
    job          TEXT NOT NULL,
    period_start TEXT NOT NULL,          -- the period this run is for
    holder       TEXT NOT NULL,          -- the node that ran it
    started_at   TEXT NOT NULL,
    finished_at  TEXT,                   -- NULL while running, or if the node died
    error        TEXT,                   -- NULL when it succeeded
    PRIMARY KEY (job, period_start)
);

-- +goose Down
DROP TABLE job_runs;
DROP TABLE leases;
