-- The web: what newcomers accepted when they registered, single-use login links and sessions
-- (stored only as SHA-256 hashes), admins, and the audit log of who saw whose personal data.

ALTER TABLE people ADD COLUMN guide_accepted_at BIGINT;
ALTER TABLE people ADD COLUMN safety_accepted_at BIGINT;
ALTER TABLE people ADD COLUMN github_user TEXT;
ALTER TABLE people ADD COLUMN email_confirmed_at BIGINT;

CREATE TABLE login_links (
    token_hash TEXT    PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person_id);

CREATE TABLE admins (
    person_id  BIGINT PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         BIGINT NOT NULL,
    admin_id   BIGINT NOT NULL,          -- kept when the admin is deleted
    admin_name TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    subject_id BIGINT                    -- kept when the subject is deleted
);
CREATE INDEX audit_log_by_time ON audit_log (at);
