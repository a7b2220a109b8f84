-- Revisions: counters that move whenever what they cover changes, kept by
-- triggers so that no write path can forget them. The server keeps what it
-- computed from the database under the counters it read first; a write
-- moves a counter, and the kept copy is never found again.
--
-- ('access', 0) covers what authenticating and authorizing a request reads:
-- people, their teams and regions, API tokens being revoked or shortened,
-- frameworks and their versions.
-- ('person', id) covers one person's growth record: journal entries and
-- their competencies, the growth plan and its history, career conversations,
-- assessments and the readiness checklist.
--
-- The counters are derived state: export-all leaves them out, and an
-- import counts afresh.

-- +goose Up
CREATE TABLE revisions (
    scope TEXT   NOT NULL CHECK (scope IN ('access', 'person')),
    id    BIGINT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (scope, id)
);
INSERT INTO revisions (scope, id, n) VALUES ('access', 0, 1);

-- +goose StatementBegin
CREATE FUNCTION revisions_bump_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION revisions_bump_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO revisions AS r (scope, id, n) VALUES ('person', OLD.person_id, 1)
            ON CONFLICT (scope, id) DO UPDATE SET n = r.n + 1;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id) THEN
        INSERT INTO revisions AS r (scope, id, n) VALUES ('person', NEW.person_id, 1)
            ON CONFLICT (scope, id) DO UPDATE SET n = r.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER people_revision AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_access();
CREATE TRIGGER person_tags_revision AFTER INSERT OR UPDATE OR DELETE ON person_tags
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_access();
CREATE TRIGGER frameworks_revision AFTER INSERT OR UPDATE OR DELETE ON frameworks
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_access();
CREATE TRIGGER framework_versions_revision AFTER INSERT OR UPDATE OR DELETE ON framework_versions
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_access();
CREATE TRIGGER api_tokens_revision AFTER UPDATE OF revoked_at, expires_at, scope, person_id OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_access();
CREATE TRIGGER evidence_revision AFTER INSERT OR UPDATE OR DELETE ON evidence
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();
CREATE TRIGGER evidence_competencies_revision AFTER INSERT OR UPDATE OR DELETE ON evidence_competencies
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();
CREATE TRIGGER growth_plans_revision AFTER INSERT OR UPDATE OR DELETE ON growth_plans
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();
CREATE TRIGGER plan_history_revision AFTER INSERT OR UPDATE OR DELETE ON plan_history
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();
CREATE TRIGGER conversations_revision AFTER INSERT OR UPDATE OR DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();
CREATE TRIGGER assessments_revision AFTER INSERT OR UPDATE OR DELETE ON assessments
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();
CREATE TRIGGER checklist_items_revision AFTER INSERT OR UPDATE OR DELETE ON checklist_items
    FOR EACH ROW EXECUTE FUNCTION revisions_bump_person();

-- +goose Down
DROP TRIGGER checklist_items_revision ON checklist_items;
DROP TRIGGER assessments_revision ON assessments;
DROP TRIGGER conversations_revision ON conversations;
DROP TRIGGER plan_history_revision ON plan_history;
DROP TRIGGER growth_plans_revision ON growth_plans;
DROP TRIGGER evidence_competencies_revision ON evidence_competencies;
DROP TRIGGER evidence_revision ON evidence;
DROP TRIGGER api_tokens_revision ON api_tokens;
DROP TRIGGER framework_versions_revision ON framework_versions;
DROP TRIGGER frameworks_revision ON frameworks;
DROP TRIGGER person_tags_revision ON person_tags;
DROP TRIGGER people_revision ON people;
DROP FUNCTION revisions_bump_person();
DROP FUNCTION revisions_bump_access();
DROP TABLE revisions;
