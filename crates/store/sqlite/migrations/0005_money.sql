-- Who has paid: every bank statement imported, each of its lines once (credits that named no
-- member wait on the treasurer), and the outbox's delivery state (attempts, backoff, errors).

CREATE TABLE bank_imports (
    id          INTEGER PRIMARY KEY,
    imported_at INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    lines       INTEGER NOT NULL,
    new_lines   INTEGER NOT NULL
);

CREATE TABLE bank_lines (
    id             INTEGER PRIMARY KEY,
    import_id      INTEGER NOT NULL REFERENCES bank_imports (id) ON DELETE CASCADE,
    dedupe_key     TEXT    NOT NULL UNIQUE,
    bank_id        TEXT,
    posted_at      INTEGER NOT NULL,
    amount_p       INTEGER NOT NULL,
    text           TEXT    NOT NULL,
    credited       INTEGER NOT NULL DEFAULT 0,  -- put on a member's balance (stays so if the entry is deleted)
    transaction_id INTEGER REFERENCES transactions (id) ON DELETE SET NULL
);
CREATE INDEX bank_lines_waiting ON bank_lines (credited, amount_p);

ALTER TABLE communications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communications ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE communications ADD COLUMN last_error TEXT;
ALTER TABLE communications ADD COLUMN claimed_at INTEGER;
CREATE INDEX communications_due ON communications (status, next_attempt_at);
CREATE INDEX transactions_by_person ON transactions (person_id, added_on);
