-- The library's search table, and an index for the calibration view.
--
-- library_search holds one row per listed document (see 00010): its id,
-- the filter columns of the library, the text of its sections in template
-- order and that text with the title as a tsvector (title weight A, each
-- section weight B), which GIN indexes. The write paths keep it in step in
-- the same transaction as the document; export-all leaves it out and
-- import-all builds it again, as it does SQLite's library_fts. It replaces
-- documents.search, which every write of every document, listed or not,
-- had to compute.
--
-- The rows are narrow: a row longer than about 2 kB (a document of more
-- than about 300 words) is toasted, and toast_tuple_target makes the
-- toaster move the text and the tsvector out of line, so that a word found
-- in nearly every document visits a few hundred table pages rather than
-- the whole documents table, and ranking reads the tsvectors of the ranked
-- documents only. The small columns stay in the row (PLAIN).
--
-- id_block is the document's id divided by 1024, as an array so that the
-- GIN index can hold it beside the tsvector: a search looks for its
-- newest matches among the blocks of the newest documents first, and the
-- index intersects those blocks with the query's words itself, so that a
-- word found in nearly every document visits a few thousand rows, not all
-- of them. section_starts says where each section's words begin among
-- the tsvector's positions, so that a snippet is made from the section
-- holding most of the query's words instead of parsing the whole text.
--
-- library_vector builds a document's tsvector and section starts from its
-- title and section texts: concatenating tsvectors shifts the positions of
-- the right one by the largest position of the left one, so each section
-- starts one past the positions before it.
--
-- evidence_person_shared lists the entries of a person that are not
-- private, so that the calibration view counts a candidate's evidence per
-- competency without reading the entries themselves.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION library_vector(title text, texts text[], OUT starts integer[], OUT search tsvector)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    t   text;
    v   tsvector;
    pos integer;
BEGIN
    search := setweight(to_tsvector('english', title), 'A');
    pos := coalesce((SELECT max(p) FROM unnest(search) u, unnest(u.positions) p), 0);
    starts := '{}';
    FOREACH t IN ARRAY coalesce(texts, '{}') LOOP
        v := setweight(to_tsvector('english', t), 'B');
        starts := starts || (pos + 1);
        pos := pos + coalesce((SELECT max(p) FROM unnest(v) u, unnest(u.positions) p), 0);
        search := search || v;
    END LOOP;
END;
$$;
-- +goose StatementEnd

CREATE TABLE library_search (
    document_id    BIGINT    NOT NULL PRIMARY KEY REFERENCES documents (id),
    target_role    TEXT      COLLATE "C" NOT NULL,
    cycle_id       BIGINT,
    id_block       INTEGER[] NOT NULL GENERATED ALWAYS AS (ARRAY[(document_id / 1024)::integer]) STORED,
    section_starts INTEGER[] NOT NULL,
    sections       TEXT[]    NOT NULL,
    search         tsvector  NOT NULL
) WITH (toast_tuple_target = 128);
ALTER TABLE library_search ALTER COLUMN target_role SET STORAGE PLAIN, ALTER COLUMN id_block SET STORAGE PLAIN,
    ALTER COLUMN section_starts SET STORAGE PLAIN;

INSERT INTO library_search (document_id, target_role, cycle_id, sections, section_starts, search)
SELECT d.id, d.target_role, d.cycle_id, coalesce(s.texts, '{}'), v.starts, v.search
FROM documents d
LEFT JOIN LATERAL (
    SELECT array_agg(ds.text ORDER BY ds.position) AS texts FROM document_sections ds WHERE ds.document_id = d.id
) s ON TRUE
CROSS JOIN LATERAL library_vector(d.title, s.texts) v
WHERE d.listed
ORDER BY d.id;

CREATE INDEX library_search_search ON library_search USING GIN (search, id_block);

ALTER TABLE documents DROP COLUMN search;

CREATE INDEX evidence_person_shared ON evidence (person_id, id) WHERE visibility <> 'private';

-- +goose Down
DROP INDEX evidence_person_shared;
ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, body), 'B')
) STORED;
CREATE INDEX documents_library_search ON documents USING GIN (search) WHERE listed;
DROP TABLE library_search;
DROP FUNCTION library_vector(text, text[]);
