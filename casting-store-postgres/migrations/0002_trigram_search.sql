-- `q` is a case-insensitive substring search (ILIKE '%q%'), which a b-tree cannot serve. Trigram
-- GIN indexes let PostgreSQL answer it from the index for any `q` of three characters or more,
-- instead of reading every row (see docs/performance.md for the figures).
-- pg_trgm ships with PostgreSQL and is a trusted extension: a database owner may create it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX movies_title_trgm_idx ON movies USING gin (title gin_trgm_ops);
CREATE INDEX actors_name_trgm_idx ON actors USING gin (name gin_trgm_ops);
