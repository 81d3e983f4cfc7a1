-- Safe concurrent editing: each record's version and who made and last changed it, when; the
-- audit trail of every change; and the idempotency keys of creates.
--
-- Rows older than this migration get version 1, the migration's time as created_at and
-- updated_at, and no created_by or updated_by (nobody knows who made them).

ALTER TABLE movies
    ADD COLUMN version    BIGINT NOT NULL DEFAULT 1,
    ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN created_by TEXT,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN updated_by TEXT,
    ADD CONSTRAINT movies_version_check CHECK (version >= 1);

ALTER TABLE actors
    ADD COLUMN version    BIGINT NOT NULL DEFAULT 1,
    ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN created_by TEXT,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN updated_by TEXT,
    ADD CONSTRAINT actors_version_check CHECK (version >= 1);

-- One line per new version of a record (a delete too), written in the change's transaction.
-- Listed newest first, whole (the primary key), by record, or by subject: each filter has an
-- index ending in the entry number. (A record id without its kind is looked up as both kinds,
-- on the first index: every write pays for each index, so there is no third.)
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    subject     TEXT NOT NULL,
    resource    TEXT NOT NULL,
    resource_id BIGINT NOT NULL,
    action      TEXT NOT NULL,
    fields      TEXT[] NOT NULL,
    version     BIGINT NOT NULL,
    CONSTRAINT audit_log_resource_check CHECK (resource IN ('movie', 'actor')),
    CONSTRAINT audit_log_action_check CHECK (action IN ('create', 'update', 'delete')),
    CONSTRAINT audit_log_version_check CHECK (version >= 1)
);

CREATE INDEX audit_log_resource_resource_id_id_idx ON audit_log (resource, resource_id, id);
CREATE INDEX audit_log_subject_id_idx ON audit_log (subject, id);

-- The creates made with an idempotency key, per subject and kind of record, with the request
-- they stand for and the record as it was answered (JSON), until they expire.
CREATE TABLE idempotency_keys (
    subject    TEXT NOT NULL,
    resource   TEXT NOT NULL,
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,
    record     TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subject, resource, key),
    CONSTRAINT idempotency_keys_resource_check CHECK (resource IN ('movie', 'actor'))
);

CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
