-- Manual head counts: how many people were in the space at a moment, to calibrate how many
-- devices one person brings.
CREATE TABLE calibrations (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    people  INTEGER NOT NULL,
    devices INTEGER
);
CREATE INDEX calibrations_by_time ON calibrations (at);
