-- Exact row counts of movies and actors without counting every row: an unfiltered list's
-- `total` reads 16 small rows instead of scanning the table (see docs/performance.md).
--
-- Triggers keep the counts in the same transaction as the write, so they are exact and MVCC
-- consistent with the rows. Each backend adds to the shard chosen by its process id, so
-- concurrent writers seldom wait on the same counter row.

CREATE TABLE row_counts (
    table_name TEXT NOT NULL,
    shard      SMALLINT NOT NULL,
    n          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (table_name, shard),
    CONSTRAINT row_counts_table_name_check CHECK (table_name IN ('movies', 'actors')),
    CONSTRAINT row_counts_shard_check CHECK (shard BETWEEN 0 AND 15)
);

INSERT INTO row_counts (table_name, shard)
SELECT t, s FROM unnest(ARRAY['movies', 'actors']) AS t, generate_series(0, 15) AS s;

-- Rows written before this migration.
UPDATE row_counts SET n = (SELECT count(*) FROM movies) WHERE table_name = 'movies' AND shard = 0;
UPDATE row_counts SET n = (SELECT count(*) FROM actors) WHERE table_name = 'actors' AND shard = 0;

CREATE FUNCTION row_counts_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE row_counts SET n = n + (SELECT count(*) FROM changed_rows)
    WHERE table_name = TG_TABLE_NAME AND shard = pg_backend_pid() % 16;
    RETURN NULL;
END
$$;

CREATE FUNCTION row_counts_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE row_counts SET n = n - (SELECT count(*) FROM changed_rows)
    WHERE table_name = TG_TABLE_NAME AND shard = pg_backend_pid() % 16;
    RETURN NULL;
END
$$;

CREATE FUNCTION row_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE row_counts SET n = 0 WHERE table_name = TG_TABLE_NAME;
    RETURN NULL;
END
$$;

CREATE TRIGGER movies_counted_insert AFTER INSERT ON movies
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_counts_added();
CREATE TRIGGER movies_counted_delete AFTER DELETE ON movies
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_counts_removed();
CREATE TRIGGER movies_counted_truncate AFTER TRUNCATE ON movies
    FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncated();

CREATE TRIGGER actors_counted_insert AFTER INSERT ON actors
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_counts_added();
CREATE TRIGGER actors_counted_delete AFTER DELETE ON actors
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION row_counts_removed();
CREATE TRIGGER actors_counted_truncate AFTER TRUNCATE ON actors
    FOR EACH STATEMENT EXECUTE FUNCTION row_counts_truncated();
