-- `q` matches folded text (NFC, Unicode full case folding, the Turkish dotted I as i; see
-- casting_core::query::fold), the same on every store. PostgreSQL's lower()/ILIKE follow the
-- database's collation and do none of that, so the folded text is computed by the server and
-- kept beside the original, written with every insert and change of a title or name. Rows that
-- exist before this migration (and rows written by anything else than this server) have NULL
-- there until `migrate` fills them in, in batches, at start.
--
-- The trigram indexes move to the folded columns: `q` becomes `title_folded LIKE '%…%'`.

ALTER TABLE movies ADD COLUMN title_folded text;
ALTER TABLE actors ADD COLUMN name_folded text;

DROP INDEX movies_title_trgm_idx;
DROP INDEX actors_name_trgm_idx;
CREATE INDEX movies_title_folded_trgm_idx ON movies USING gin (title_folded gin_trgm_ops);
CREATE INDEX actors_name_folded_trgm_idx ON actors USING gin (name_folded gin_trgm_ops);

-- What is left to fold, found without reading the table (empty once every row is folded).
CREATE INDEX movies_unfolded_idx ON movies (id) WHERE title_folded IS NULL;
CREATE INDEX actors_unfolded_idx ON actors (id) WHERE name_folded IS NULL;
