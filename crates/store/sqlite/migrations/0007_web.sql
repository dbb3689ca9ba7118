-- The web: what newcomers accepted when they registered, single-use login links and sessions
-- (stored only as SHA-256 hashes), admins, and the audit log of who saw whose personal data.

ALTER TABLE people ADD COLUMN guide_accepted_at INTEGER;
ALTER TABLE people ADD COLUMN safety_accepted_at INTEGER;
ALTER TABLE people ADD COLUMN github_user TEXT;
ALTER TABLE people ADD COLUMN email_confirmed_at INTEGER;

CREATE TABLE login_links (
    token_hash TEXT    PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person_id);

CREATE TABLE admins (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    admin_id   INTEGER NOT NULL,          -- kept when the admin is deleted
    admin_name TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    subject_id INTEGER                    -- kept when the subject is deleted
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- A member's number is their bank reference: a number once given is never given again, even
-- after that person is deleted (SQLite would otherwise reuse the highest rowid).
CREATE TABLE retired_person_ids (id INTEGER PRIMARY KEY);
CREATE TRIGGER people_retire_ids AFTER DELETE ON people
BEGIN
    INSERT OR IGNORE INTO retired_person_ids (id) VALUES (OLD.id);
END;
