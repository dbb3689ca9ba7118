-- A counter bumped by every change to what access decisions are made from, so that servers
-- can cache decision facts and know, with the one row they read anyway, when to drop them.

CREATE TABLE access_version (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
INSERT INTO access_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_access_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_version SET version = version + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER people_bumps_access AFTER INSERT OR UPDATE OF parent_id, tier_id, name OR DELETE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER tiers_bumps_access AFTER INSERT OR UPDATE OR DELETE ON tiers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER tokens_bumps_access AFTER INSERT OR UPDATE OR DELETE ON tokens
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER allowed_bumps_access AFTER INSERT OR UPDATE OR DELETE ON allowed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER payments_bumps_access AFTER INSERT OR UPDATE OR DELETE ON payments
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER groups_bumps_access AFTER INSERT OR UPDATE OR DELETE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER group_members_bumps_access AFTER INSERT OR UPDATE OR DELETE ON group_members
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER group_things_bumps_access AFTER INSERT OR UPDATE OR DELETE ON group_things
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER things_bumps_access AFTER INSERT OR UPDATE OR DELETE ON things
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
CREATE TRIGGER thing_requirements_bumps_access AFTER INSERT OR UPDATE OR DELETE ON thing_requirements
    FOR EACH STATEMENT EXECUTE FUNCTION bump_access_version();
