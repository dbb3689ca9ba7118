-- Foundation: API tokens and occupancy (head counts, scans, device pseudonyms, ignore-list).
-- Times are UTC seconds since the epoch.

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    token_hash  TEXT    NOT NULL UNIQUE,  -- SHA-256 of the secret, hex
    scopes      TEXT    NOT NULL,         -- space-separated
    created_at  INTEGER NOT NULL
);

-- One row per measurement: a head count (source 'count') or an agent's scan (source 'scan').
-- count is NULL for a failed scan: a gap, never a zero.
CREATE TABLE samples (
    id           INTEGER PRIMARY KEY,
    scan_time    INTEGER NOT NULL,
    count        INTEGER,
    source       TEXT    NOT NULL CHECK (source IN ('count', 'scan')),
    agent        TEXT,
    slot         INTEGER,
    devices_seen INTEGER,                 -- as reported, before the server-side ignore-list
    failure      TEXT,
    UNIQUE (agent, slot)
);
CREATE INDEX samples_by_time ON samples (scan_time, id, count);  -- covers the history query

CREATE TABLE devices (
    pseudonym  TEXT    PRIMARY KEY,
    local      INTEGER NOT NULL,          -- locally administered (randomised) address
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);

CREATE TABLE sightings (
    sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
    pseudonym TEXT    NOT NULL,
    seen_at   INTEGER NOT NULL,
    PRIMARY KEY (sample_id, pseudonym)
);
CREATE INDEX sightings_by_pseudonym ON sightings (pseudonym);
CREATE INDEX sightings_by_time ON sightings (seen_at);

CREATE TABLE ignored_devices (
    pseudonym  TEXT    PRIMARY KEY,
    note       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
