-- Nothing is lost: each trail entry keeps the values of the fields it names, before and after
-- (`changes`: a JSON object, one member per field, `{"from": …, "to": …}`, each value typed
-- as `casting_core::FieldValue` writes it, e.g. `{"text": "Alien"}`). A delete's entry keeps
-- the whole record, cast or credits included, and a restore reads it back: a deleted record
-- is restorable for as long as its delete entry is kept.
--
-- Entries older than this migration keep `{}`. Adding a column with a constant default does
-- not rewrite the table.

ALTER TABLE audit_log
    ADD COLUMN changes JSONB NOT NULL DEFAULT '{}',
    DROP CONSTRAINT audit_log_action_check,
    ADD CONSTRAINT audit_log_action_check
        CHECK (action IN ('create', 'update', 'delete', 'restore'));
