-- A counter bumped by every change to what access decisions are made from, so that servers
-- can cache decision facts and know, with the one row they read anyway, when to drop them.

CREATE TABLE access_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO access_version (id, version) VALUES (1, 0);

CREATE TRIGGER people_insert_bumps_access AFTER INSERT ON people
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER people_update_bumps_access AFTER UPDATE OF parent_id, tier_id, name ON people
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER people_delete_bumps_access AFTER DELETE ON people
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER tiers_insert_bumps_access AFTER INSERT ON tiers
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER tiers_update_bumps_access AFTER UPDATE ON tiers
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER tiers_delete_bumps_access AFTER DELETE ON tiers
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER tokens_insert_bumps_access AFTER INSERT ON tokens
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER tokens_update_bumps_access AFTER UPDATE ON tokens
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER tokens_delete_bumps_access AFTER DELETE ON tokens
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER allowed_insert_bumps_access AFTER INSERT ON allowed
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER allowed_update_bumps_access AFTER UPDATE ON allowed
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER allowed_delete_bumps_access AFTER DELETE ON allowed
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER payments_insert_bumps_access AFTER INSERT ON payments
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER payments_update_bumps_access AFTER UPDATE ON payments
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER payments_delete_bumps_access AFTER DELETE ON payments
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER groups_insert_bumps_access AFTER INSERT ON groups
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER groups_update_bumps_access AFTER UPDATE ON groups
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER groups_delete_bumps_access AFTER DELETE ON groups
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER group_members_insert_bumps_access AFTER INSERT ON group_members
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER group_members_update_bumps_access AFTER UPDATE ON group_members
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER group_members_delete_bumps_access AFTER DELETE ON group_members
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER group_things_insert_bumps_access AFTER INSERT ON group_things
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER group_things_update_bumps_access AFTER UPDATE ON group_things
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER group_things_delete_bumps_access AFTER DELETE ON group_things
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER things_insert_bumps_access AFTER INSERT ON things
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER things_update_bumps_access AFTER UPDATE ON things
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER things_delete_bumps_access AFTER DELETE ON things
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER thing_requirements_insert_bumps_access AFTER INSERT ON thing_requirements
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER thing_requirements_update_bumps_access AFTER UPDATE ON thing_requirements
BEGIN UPDATE access_version SET version = version + 1; END;
CREATE TRIGGER thing_requirements_delete_bumps_access AFTER DELETE ON thing_requirements
BEGIN UPDATE access_version SET version = version + 1; END;
