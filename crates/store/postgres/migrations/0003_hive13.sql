-- Hive13 devices: vending, telemetry, general-purpose messages and lounge lights.

CREATE TABLE vend_log (
    id            BIGSERIAL PRIMARY KEY,
    controller_id BIGINT REFERENCES controllers (id) ON DELETE SET NULL,
    person_id     BIGINT REFERENCES people (id) ON DELETE SET NULL,
    badge         TEXT    NOT NULL,
    vended        BOOLEAN NOT NULL,
    at            BIGINT NOT NULL
);

-- Readings in the thing's unit: the displayed value is value * 10^scale.
CREATE TABLE telemetry (
    id            TEXT    PRIMARY KEY,          -- a UUID, returned to the device as temp_log_id
    thing_id      TEXT    NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    controller_id BIGINT REFERENCES controllers (id) ON DELETE SET NULL,
    value         BIGINT NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX telemetry_by_thing ON telemetry (thing_id, at);

-- Device messages with syslog severities (0 panic … 7 debug).
CREATE TABLE device_messages (
    id            BIGSERIAL PRIMARY KEY,
    controller_id BIGINT REFERENCES controllers (id) ON DELETE CASCADE,
    severity      BIGINT NOT NULL,
    message       TEXT    NOT NULL,
    at            BIGINT NOT NULL
);
CREATE INDEX device_messages_by_time ON device_messages (at);

-- The lounge lights' current preset: one on/off state per bulb, in relay order, as JSON.
ALTER TABLE controllers ADD COLUMN light_states TEXT NOT NULL DEFAULT '[]';
