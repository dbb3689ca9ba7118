-- Who may come in: tiers, things, groups, people with their tokens, payments and ledger,
-- inductions, Hive13 devices, and the logs every device conversation writes.
-- Times are UTC seconds since the epoch.

CREATE TABLE tiers (
    id                  BIGSERIAL PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    description         TEXT    NOT NULL DEFAULT '',
    price_p             BIGINT NOT NULL,
    concessions_allowed BOOLEAN NOT NULL DEFAULT TRUE,
    in_use              BOOLEAN NOT NULL DEFAULT TRUE,
    donor               BOOLEAN NOT NULL DEFAULT FALSE,
    restrictions        TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE things (
    id                   TEXT    PRIMARY KEY,
    name                 TEXT    NOT NULL UNIQUE,
    display_name         TEXT,
    assigned_ip          TEXT,
    requires_induction   BOOLEAN NOT NULL DEFAULT FALSE,
    lone_working_allowed BOOLEAN NOT NULL DEFAULT TRUE,
    team                 TEXT    NOT NULL DEFAULT '',
    unit                 TEXT,
    scale                BIGINT
);

CREATE TABLE thing_requirements (
    thing_id    TEXT NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    required_id TEXT NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    PRIMARY KEY (thing_id, required_id)
);

CREATE TABLE people (
    id                 BIGSERIAL PRIMARY KEY,
    parent_id          BIGINT REFERENCES people (id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    email              TEXT,
    address            TEXT    NOT NULL DEFAULT '',
    dob                TEXT,               -- YYYY-MM
    tier_id            BIGINT REFERENCES tiers (id),
    concession         TEXT    NOT NULL DEFAULT '',
    payment_override_p BIGINT,
    door_colour        TEXT    NOT NULL DEFAULT 'green',
    opt_in             BOOLEAN NOT NULL DEFAULT FALSE,
    how_found_us       TEXT,
    voucher_code       TEXT,
    voucher_start      BIGINT,
    created_at         BIGINT NOT NULL,
    end_date           BIGINT,
    vend_credits       BIGINT NOT NULL DEFAULT 0,
    alert_credits      BIGINT,
    alert_email        BOOLEAN NOT NULL DEFAULT FALSE,
    alert_machine      BOOLEAN NOT NULL DEFAULT FALSE,
    telegram_chatid    BIGINT UNIQUE,
    telegram_username  TEXT
);
CREATE INDEX people_by_parent ON people (parent_id);
CREATE INDEX people_by_email ON people (lower(email));

CREATE TABLE tokens (
    id        TEXT    NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    type      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (person_id, id)
);
CREATE INDEX tokens_by_id ON tokens (id);

CREATE TABLE login_tokens (
    person_id   BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    login_token TEXT    NOT NULL,
    PRIMARY KEY (person_id, login_token)
);

CREATE TABLE groups (
    id   BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE group_things (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    thing_id TEXT    NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, thing_id)
);
CREATE INDEX group_things_by_thing ON group_things (thing_id);

CREATE TABLE group_members (
    group_id  BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_members_by_person ON group_members (person_id);

CREATE TABLE allowed (
    person_id   BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    thing_id    TEXT    NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    inductor    BOOLEAN NOT NULL DEFAULT FALSE,
    pending     BOOLEAN NOT NULL DEFAULT TRUE,
    inducted_by BIGINT REFERENCES people (id) ON DELETE SET NULL,
    accepted_on BIGINT,
    added_on    BIGINT NOT NULL,
    PRIMARY KEY (person_id, thing_id)
);
CREATE INDEX allowed_by_thing ON allowed (thing_id);

CREATE TABLE payments (
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    paid_on    BIGINT NOT NULL,
    expires_on BIGINT NOT NULL,
    amount_p   BIGINT NOT NULL,
    added_on   BIGINT NOT NULL,
    PRIMARY KEY (person_id, paid_on)
);

CREATE TABLE transactions (
    id        BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    added_on  BIGINT NOT NULL,
    amount_p  BIGINT NOT NULL,
    reason    TEXT    NOT NULL,
    UNIQUE (person_id, added_on, amount_p)
);

CREATE TABLE controllers (   -- Hive13 devices: signed-JSON controllers with a key
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    key         BYTEA    NOT NULL,
    nonce       BYTEA    NOT NULL,
    min_version BIGINT NOT NULL DEFAULT 1,
    max_version BIGINT NOT NULL DEFAULT 2
);

CREATE TABLE controller_things (
    controller_id BIGINT NOT NULL REFERENCES controllers (id) ON DELETE CASCADE,
    thing_id  TEXT    NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    PRIMARY KEY (controller_id, thing_id)
);

CREATE TABLE soda_slots (
    slot     BIGINT  PRIMARY KEY,
    name     TEXT    NOT NULL,
    sold_out BOOLEAN NOT NULL DEFAULT FALSE
);

-- Every access decision, granted or not, with its reason.
CREATE TABLE access_log (
    id        BIGSERIAL PRIMARY KEY,
    at        BIGINT NOT NULL,
    protocol  TEXT    NOT NULL,
    thing     TEXT    NOT NULL,           -- as asked, even when unknown
    token     TEXT    NOT NULL,
    person_id BIGINT REFERENCES people (id) ON DELETE SET NULL,
    granted   BOOLEAN NOT NULL,
    reason    TEXT    NOT NULL,
    message   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX access_log_by_time ON access_log (at);
CREATE INDEX access_log_by_person ON access_log (person_id, at);

CREATE TABLE usage_log (
    id          BIGSERIAL PRIMARY KEY,
    person_id   BIGINT REFERENCES people (id) ON DELETE SET NULL,
    thing_id    TEXT    NOT NULL,
    token       TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    accessed_at BIGINT NOT NULL,
    running_for BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX usage_log_by_person ON usage_log (person_id, thing_id, status);

CREATE TABLE message_log (
    id         BIGSERIAL PRIMARY KEY,
    thing_id   TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    from_ip    TEXT    NOT NULL,
    written_at BIGINT NOT NULL
);
CREATE INDEX message_log_by_time ON message_log (written_at);

CREATE TABLE communications (
    id         BIGSERIAL PRIMARY KEY,
    person_id  BIGINT REFERENCES people (id) ON DELETE CASCADE,
    type       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'unsent',
    subject    TEXT    NOT NULL,
    plain_text TEXT    NOT NULL,
    html       TEXT,
    created_at BIGINT NOT NULL,
    sent_at    BIGINT
);
CREATE INDEX communications_by_person ON communications (person_id, type);

CREATE TABLE confirmations (
    token      TEXT    PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    storage    TEXT    NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE vehicles (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    plate     TEXT    NOT NULL,
    added_on  BIGINT NOT NULL,
    PRIMARY KEY (person_id, plate)
);
