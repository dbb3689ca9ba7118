-- Manual head counts: how many people were in the space at a moment, to calibrate how many
-- devices one person brings.
CREATE TABLE calibrations (
    id      BIGSERIAL PRIMARY KEY,
    at      BIGINT NOT NULL,
    people  BIGINT NOT NULL,
    devices BIGINT
);
CREATE INDEX calibrations_by_time ON calibrations (at);
