-- A filtered library search (by target role, cycle or competency) reads,
-- for every match of the words, whether the document is listed and its role
-- and cycle. Those columns come after the document's body in the row, so
-- reading them through the table walked the body's overflow pages: about
-- 10 ms for a common word with a role filter. This index holds them next
-- to the id, and the search reads it instead of the table.

-- +goose Up
CREATE INDEX documents_filter ON documents (id, listed, target_role, cycle_id);

-- +goose Down
DROP INDEX documents_filter;
