-- The library's search index filled again, and an index for the
-- calibration view.
--
-- library_fts holds its own copy of the text of the listed documents, which
-- export-all leaves out: an import made before import-all rebuilt it left
-- the library empty. When it does not hold as many documents as are
-- listed it is filled again here, and merged into one segment ('optimize')
-- as a bulk load leaves it. (PostgreSQL's migration 00015 moves its library
-- search to a table of its own, library_search.)
--
-- evidence_person_shared lists the entries of a person that are not
-- private, so that the calibration view counts a candidate's evidence per
-- competency without reading the entries themselves.

-- +goose Up
DELETE FROM library_fts WHERE (SELECT COUNT(*) FROM library_fts) <> (SELECT COUNT(*) FROM documents WHERE listed);
INSERT INTO library_fts (rowid, title, body)
SELECT id, title, body FROM documents d WHERE listed AND NOT EXISTS (SELECT 1 FROM library_fts f WHERE f.rowid = d.id);
INSERT INTO library_fts (library_fts) VALUES ('optimize');

CREATE INDEX evidence_person_shared ON evidence (person_id, id) WHERE visibility <> 'private';

-- +goose Down
DROP INDEX evidence_person_shared;
