-- The SQLite migration of this number adds an index for filtered library
-- searches; PostgreSQL filters in its library_search table (00015) and
-- needs nothing. The number is kept so that both dialects count alike.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
