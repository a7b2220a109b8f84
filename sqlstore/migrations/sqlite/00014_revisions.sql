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
    scope TEXT    NOT NULL CHECK (scope IN ('access', 'person')),
    id    INTEGER NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (scope, id)
) WITHOUT ROWID;
INSERT INTO revisions (scope, id, n) VALUES ('access', 0, 1);

-- +goose StatementBegin
CREATE TRIGGER people_revision_insert AFTER INSERT ON people
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER people_revision_update AFTER UPDATE ON people
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER people_revision_delete AFTER DELETE ON people
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER person_tags_revision_insert AFTER INSERT ON person_tags
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER person_tags_revision_update AFTER UPDATE ON person_tags
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER person_tags_revision_delete AFTER DELETE ON person_tags
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER frameworks_revision_insert AFTER INSERT ON frameworks
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER frameworks_revision_update AFTER UPDATE ON frameworks
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER frameworks_revision_delete AFTER DELETE ON frameworks
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER framework_versions_revision_insert AFTER INSERT ON framework_versions
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER framework_versions_revision_update AFTER UPDATE ON framework_versions
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER framework_versions_revision_delete AFTER DELETE ON framework_versions
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER api_tokens_revision_update AFTER UPDATE OF revoked_at, expires_at, scope, person_id ON api_tokens
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER api_tokens_revision_delete AFTER DELETE ON api_tokens
BEGIN
    UPDATE revisions SET n = n + 1 WHERE scope = 'access' AND id = 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_revision_insert AFTER INSERT ON evidence
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_revision_update AFTER UPDATE ON evidence
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_revision_delete AFTER DELETE ON evidence
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_competencies_revision_insert AFTER INSERT ON evidence_competencies
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_competencies_revision_update AFTER UPDATE ON evidence_competencies
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER evidence_competencies_revision_delete AFTER DELETE ON evidence_competencies
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER growth_plans_revision_insert AFTER INSERT ON growth_plans
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER growth_plans_revision_update AFTER UPDATE ON growth_plans
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER growth_plans_revision_delete AFTER DELETE ON growth_plans
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER plan_history_revision_insert AFTER INSERT ON plan_history
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER plan_history_revision_update AFTER UPDATE ON plan_history
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER plan_history_revision_delete AFTER DELETE ON plan_history
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conversations_revision_insert AFTER INSERT ON conversations
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conversations_revision_update AFTER UPDATE ON conversations
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conversations_revision_delete AFTER DELETE ON conversations
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER assessments_revision_insert AFTER INSERT ON assessments
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER assessments_revision_update AFTER UPDATE ON assessments
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER assessments_revision_delete AFTER DELETE ON assessments
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER checklist_items_revision_insert AFTER INSERT ON checklist_items
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER checklist_items_revision_update AFTER UPDATE ON checklist_items
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', NEW.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
    INSERT INTO revisions (scope, id, n) SELECT 'person', OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER checklist_items_revision_delete AFTER DELETE ON checklist_items
BEGIN
    INSERT INTO revisions (scope, id, n) VALUES ('person', OLD.person_id, 1)
        ON CONFLICT (scope, id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER checklist_items_revision_delete;
DROP TRIGGER checklist_items_revision_update;
DROP TRIGGER checklist_items_revision_insert;
DROP TRIGGER assessments_revision_delete;
DROP TRIGGER assessments_revision_update;
DROP TRIGGER assessments_revision_insert;
DROP TRIGGER conversations_revision_delete;
DROP TRIGGER conversations_revision_update;
DROP TRIGGER conversations_revision_insert;
DROP TRIGGER plan_history_revision_delete;
DROP TRIGGER plan_history_revision_update;
DROP TRIGGER plan_history_revision_insert;
DROP TRIGGER growth_plans_revision_delete;
DROP TRIGGER growth_plans_revision_update;
DROP TRIGGER growth_plans_revision_insert;
DROP TRIGGER evidence_competencies_revision_delete;
DROP TRIGGER evidence_competencies_revision_update;
DROP TRIGGER evidence_competencies_revision_insert;
DROP TRIGGER evidence_revision_delete;
DROP TRIGGER evidence_revision_update;
DROP TRIGGER evidence_revision_insert;
DROP TRIGGER api_tokens_revision_delete;
DROP TRIGGER api_tokens_revision_update;
DROP TRIGGER framework_versions_revision_delete;
DROP TRIGGER framework_versions_revision_update;
DROP TRIGGER framework_versions_revision_insert;
DROP TRIGGER frameworks_revision_delete;
DROP TRIGGER frameworks_revision_update;
DROP TRIGGER frameworks_revision_insert;
DROP TRIGGER person_tags_revision_delete;
DROP TRIGGER person_tags_revision_update;
DROP TRIGGER person_tags_revision_insert;
DROP TRIGGER people_revision_delete;
DROP TRIGGER people_revision_update;
DROP TRIGGER people_revision_insert;
DROP TABLE revisions;
