-- Writes that change a cast no longer take a row lock on each actor they name (issue 25; see
-- docs/architecture.md, "An actor's version without a lock on the actor").
--
-- A movie-side write (a create with a cast, a cast change, a movie's delete or restore) still
-- gives every actor who joins or leaves a new version and one trail entry, in its own
-- transaction, but it writes that entry with `version` NULL ("not numbered yet") instead of
-- updating the actor's row. It holds the actor with `FOR KEY SHARE` (what the link's foreign
-- key takes anyway), which any number of such writes share.
--
-- An actor's version is then `actors.version` plus their entries not numbered yet. The
-- actor's own writes (a change of their fields or movies, their delete) lock the row
-- `FOR UPDATE`, which waits for every movie-side write holding the actor and keeps new ones
-- out, and number those entries first (`actors.version` moves past them), so every entry
-- written under that lock has its number at once.

-- Only an actor's entries are ever written without a number.
ALTER TABLE audit_log
    ALTER COLUMN version DROP NOT NULL,
    ADD CONSTRAINT audit_log_unnumbered_check CHECK (version IS NOT NULL OR resource = 'actor');

-- The entries not numbered yet, by actor: small (an actor's own write empties their part),
-- and enough to count an actor's with an index-only scan.
CREATE INDEX audit_log_unnumbered_idx ON audit_log (resource_id, id) WHERE version IS NULL;

-- The version an entry not numbered yet has: the actor's numbered version plus the entries
-- not numbered up to and including this one (ordered by id).
CREATE FUNCTION audit_unnumbered_version(actor BIGINT, entry BIGINT) RETURNS BIGINT
LANGUAGE sql STABLE AS $$
    SELECT a.version + (SELECT count(*) FROM audit_log AS u
                        WHERE u.version IS NULL AND u.resource_id = actor AND u.id <= entry)
    FROM actors AS a WHERE a.id = actor
$$;

-- Actors as reads answer them: the version and the last change (`updated_*`) include the
-- entries not numbered yet.
CREATE VIEW actors_now AS
SELECT a.id, a.name, a.age, a.gender,
       a.version + pending.n AS version,
       a.created_at, a.created_by,
       coalesce(last.at, a.updated_at) AS updated_at,
       CASE WHEN last.id IS NULL THEN a.updated_by ELSE last.subject END AS updated_by
FROM actors AS a
CROSS JOIN LATERAL (
    SELECT count(*) AS n, max(u.id) AS last_id FROM audit_log AS u
    WHERE u.version IS NULL AND u.resource_id = a.id
) AS pending
LEFT JOIN audit_log AS last ON last.id = pending.last_id;
