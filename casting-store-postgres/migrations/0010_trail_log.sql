-- The trail becomes a log (issue 35; docs/architecture.md, "The trail as a log").
--
-- An entry's number (`id`, from a sequence) is taken before its transaction commits, so id
-- order is not commit order: a reader walking by id can pass an entry that commits later.
-- From here on an entry becomes readable only once it has a `position`, given after it
-- committed by one numbering step at a time (`log_head`), in an order that agrees with commit
-- order. The position is the entry's public number (`AuditEntry::id`); entries written
-- before this migration keep their id as their position.
--
-- An actor's entry written by a movie write (version NULL since 0009) gets its version, and
-- its whole lists of movies, in that same step, from the actor's version kept in
-- `actor_versions`: once readable, an entry never changes.

-- 1. The versions actors have now (0009's view counts the entries not numbered yet), kept
--    from here on by the numbering step; also for deleted actors, whose restore goes on from
--    their delete entry's number.
CREATE TABLE actor_versions (
    actor_id   BIGINT PRIMARY KEY,
    version    BIGINT NOT NULL CHECK (version >= 1),
    updated_at TIMESTAMPTZ,
    updated_by TEXT
);

INSERT INTO actor_versions (actor_id, version, updated_at, updated_by)
SELECT id, version, updated_at, updated_by FROM actors_now;

INSERT INTO actor_versions (actor_id, version, updated_at, updated_by)
SELECT DISTINCT ON (resource_id) resource_id, version, at, subject
FROM audit_log
WHERE resource = 'actor' AND version IS NOT NULL
  AND resource_id NOT IN (SELECT id FROM actors)
ORDER BY resource_id, id DESC;

-- 2. The entries not numbered yet get the numbers reads gave them.
UPDATE audit_log AS e
SET version = numbered.version
FROM (
    SELECT u.id, a.version + row_number() OVER (PARTITION BY u.resource_id ORDER BY u.id)
               AS version
    FROM audit_log AS u JOIN actors AS a ON a.id = u.resource_id
    WHERE u.version IS NULL AND u.resource = 'actor'
) AS numbered
WHERE e.id = numbered.id;

UPDATE actors AS a SET version = v.version, updated_at = v.updated_at, updated_by = v.updated_by
FROM actor_versions AS v WHERE v.actor_id = a.id AND v.version <> a.version;

DROP VIEW actors_now;
DROP FUNCTION audit_unnumbered_version(BIGINT, BIGINT);
DROP INDEX audit_log_unnumbered_idx;

-- 3. Positions: the entries so far keep their id.
ALTER TABLE audit_log ADD COLUMN position BIGINT;
UPDATE audit_log SET position = id;
CREATE UNIQUE INDEX audit_log_position_idx ON audit_log (position);
-- The filters of GET /audit page by position.
DROP INDEX audit_log_resource_resource_id_id_idx;
DROP INDEX audit_log_subject_id_idx;
CREATE INDEX audit_log_resource_resource_id_position_idx
    ON audit_log (resource, resource_id, position);
CREATE INDEX audit_log_subject_position_idx ON audit_log (subject, position);
-- The entries waiting for a position: few (the numbering step runs after every write).
CREATE INDEX audit_log_pending_idx ON audit_log (resource, resource_id, id)
    WHERE position IS NULL;

-- The newest position given, and the newest one pruned (a reader from before it has missed
-- entries): one row, which the numbering step locks.
CREATE TABLE log_head (
    single         BOOLEAN PRIMARY KEY DEFAULT true CHECK (single),
    position       BIGINT NOT NULL,
    pruned_through BIGINT NOT NULL DEFAULT 0
);
INSERT INTO log_head (position, pruned_through)
SELECT coalesce(max(id), 0),
       coalesce((SELECT min(id) - 1 FROM audit_log), 0)
FROM audit_log;

-- 4. Actors as reads answer them: the version the numbering step gave, plus the entries that
--    committed and wait for a position (each is one more version); `updated_*` from the
--    newest of those, else from the last one numbered.
CREATE VIEW actors_now AS
SELECT a.id, a.name, a.age, a.gender,
       coalesce(v.version, 0) + pending.n AS version,
       a.created_at, a.created_by,
       CASE WHEN last.id IS NOT NULL THEN last.at
            WHEN v.actor_id IS NOT NULL THEN v.updated_at
            ELSE a.updated_at END AS updated_at,
       CASE WHEN last.id IS NOT NULL THEN last.subject
            WHEN v.actor_id IS NOT NULL THEN v.updated_by
            ELSE a.updated_by END AS updated_by
FROM actors AS a
LEFT JOIN actor_versions AS v ON v.actor_id = a.id
CROSS JOIN LATERAL (
    SELECT count(*) AS n, max(u.id) AS last_id FROM audit_log AS u
    WHERE u.position IS NULL AND u.resource = 'actor' AND u.resource_id = a.id
) AS pending
LEFT JOIN audit_log AS last ON last.id = pending.last_id;
