-- The trail becomes a log (issue 35; docs/architecture.md, "The trail as a log").
--
-- An entry's number (`id`, from a sequence) is taken before its transaction commits, so id
-- order is not commit order: a reader walking by id can pass an entry that commits later.
-- From here on an entry becomes readable only once it has a position (`audit_positions`),
-- given after it committed by one numbering step at a time (`log_head`), in an order that
-- agrees with commit order. The position is the entry's public number (`AuditEntry::id`);
-- entries written before this migration keep their id as their position.
--
-- An actor's entry written by a movie write (version NULL since 0009) gets its version in that
-- same step, from the actor's version kept in `actor_versions`: once readable, an entry never
-- changes.

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

-- 3. Positions, kept beside the entries (so that the numbering step writes one narrow row per
--    entry instead of rewriting it): the entries so far keep their id as their position.
--    `tx` is the writing transaction: an entry of a transaction older than every transaction
--    running when a step took its snapshot (`log_head.xmin_done`) has its position already.
ALTER TABLE audit_log ADD COLUMN tx xid8;
ALTER TABLE audit_log ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
-- The numbering step scans the entries of recent transactions; reads of an actor count theirs
-- (the record's entries by transaction also serve what the id-ordered index served: a
-- record's entries, found by equality).
CREATE INDEX audit_log_tx_idx ON audit_log (tx);
DROP INDEX audit_log_resource_resource_id_id_idx;
CREATE INDEX audit_log_resource_resource_id_tx_idx ON audit_log (resource, resource_id, tx);

CREATE TABLE audit_positions (
    position BIGINT PRIMARY KEY,
    entry_id BIGINT NOT NULL UNIQUE,
    version  BIGINT NOT NULL CHECK (version >= 1)
);
INSERT INTO audit_positions (position, entry_id, version)
SELECT id, id, version FROM audit_log WHERE version IS NOT NULL;

-- The newest position given, the newest one pruned (a reader from before it has missed
-- entries), and the oldest transaction whose entries may still need a position: one row,
-- which the numbering step locks.
CREATE TABLE log_head (
    single         BOOLEAN PRIMARY KEY DEFAULT true CHECK (single),
    position       BIGINT NOT NULL,
    pruned_through BIGINT NOT NULL DEFAULT 0,
    xmin_done      xid8 NOT NULL
);
INSERT INTO log_head (position, pruned_through, xmin_done)
SELECT coalesce(max(id), 0),
       coalesce((SELECT min(id) - 1 FROM audit_log), 0),
       pg_snapshot_xmin(pg_current_snapshot())
FROM audit_log;

-- The entries that have their place in the log, as readers see them.
CREATE VIEW audit_entries AS
SELECT p.position, e.id AS entry_id, e.at, e.subject, e.resource, e.resource_id, e.action,
       e.fields, p.version, e.changes
FROM audit_positions AS p JOIN audit_log AS e ON e.id = p.entry_id;

-- The entries that committed and wait for a position. (A lookup per entry, not an anti-join:
-- the planner cannot tell how few entries are that recent, and would hash every position.)
CREATE VIEW audit_pending AS
SELECT u.* FROM audit_log AS u
WHERE u.tx >= (SELECT xmin_done FROM log_head)
  AND (SELECT p.position FROM audit_positions AS p WHERE p.entry_id = u.id) IS NULL;

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
    SELECT count(*) AS n, max(u.id) AS last_id FROM audit_pending AS u
    WHERE u.resource = 'actor' AND u.resource_id = a.id
) AS pending
LEFT JOIN audit_log AS last ON last.id = pending.last_id;
