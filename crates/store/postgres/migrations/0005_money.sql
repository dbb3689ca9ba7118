-- Who has paid: every bank statement imported, each of its lines once (credits that named no
-- member wait on the treasurer), and the outbox's delivery state (attempts, backoff, errors).

CREATE TABLE bank_imports (
    id          BIGSERIAL PRIMARY KEY,
    imported_at BIGINT  NOT NULL,
    source      TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    lines       BIGINT  NOT NULL,
    new_lines   BIGINT  NOT NULL
);

CREATE TABLE bank_lines (
    id             BIGSERIAL PRIMARY KEY,
    import_id      BIGINT  NOT NULL REFERENCES bank_imports (id) ON DELETE CASCADE,
    dedupe_key     TEXT    NOT NULL UNIQUE,
    bank_id        TEXT,
    posted_at      BIGINT  NOT NULL,
    amount_p       BIGINT  NOT NULL,
    text           TEXT    NOT NULL,
    credited       BOOLEAN NOT NULL DEFAULT FALSE,  -- put on a member's balance (stays so if the entry is deleted)
    transaction_id BIGINT  REFERENCES transactions (id) ON DELETE SET NULL
);
CREATE INDEX bank_lines_waiting ON bank_lines (credited, amount_p);

ALTER TABLE communications ADD COLUMN attempts BIGINT  NOT NULL DEFAULT 0;
ALTER TABLE communications ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE communications ADD COLUMN last_error TEXT;
ALTER TABLE communications ADD COLUMN claimed_at BIGINT;
CREATE INDEX communications_due ON communications (status, next_attempt_at);
CREATE INDEX transactions_by_person ON transactions (person_id, added_on);
