//! What every write records besides itself, in its own transaction: the audit trail, new
//! versions of the other side's records whose links it changed, and the idempotency keys of
//! creates. (How a write's transaction ends: `write`.)

use casting_core::{
    AuditAction, Changes, Edit, Idempotency, ResourceKind, StoreError, StoreResult as Result,
    Version,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgConnection;

use crate::error::from_sqlx;
use crate::links::Side;
use crate::rows::stored_version;

/// The name a table and the trail give a kind of record.
pub(crate) fn resource(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Movie => "movie",
        ResourceKind::Actor => "actor",
    }
}

/// Changes as the `changes` column keeps them (JSON text, cast to `jsonb` in the statement).
pub(crate) fn changes_json(changes: &Changes) -> Result<String> {
    serde_json::to_string(changes).map_err(StoreError::internal)
}

/// Appends one entry to the audit trail.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn log(
    conn: &mut PgConnection,
    edit: &Edit,
    kind: ResourceKind,
    id: i64,
    action: AuditAction,
    fields: &[&str],
    changes: &Changes,
    version: Version,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                                changes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)",
    )
    .bind(edit.at)
    .bind(&edit.by)
    .bind(resource(kind))
    .bind(id)
    .bind(action.as_str())
    .bind(fields)
    .bind(version.get())
    .bind(changes_json(changes)?)
    .execute(conn)
    .await
    .map_err(from_sqlx)?;
    Ok(())
}

/// A new version of each record on the other side of `side` whose links a write of `id`
/// changed (`ids`, all locked already), and one audit entry for each keeping the id that
/// joined or left its list (`{"moved": id}`; the lists are rebuilt when the trail is read):
/// one statement, whatever the size of the lists.
///
/// A movie's write gives its actors (held `FOR KEY SHARE`) their new version without touching
/// their rows: each entry is written without a version (`version` NULL), which the log's
/// numbering step gives (`log.rs`), so such writes that name the same actor do not queue on
/// the actor's row. A write from the actor's side updates its movies' rows (locked
/// `FOR NO KEY UPDATE`).
pub(crate) async fn touch(
    conn: &mut PgConnection,
    side: Side,
    id: i64,
    ids: &[i64],
    edit: &Edit,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = match side {
        Side::Movie => {
            "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                                    changes)
             SELECT $2, $3, 'actor', actor.id, 'update', ARRAY['movies'], NULL,
                    jsonb_build_object('movies', jsonb_build_object(
                        'from', NULL, 'to', jsonb_build_object('moved', $4::bigint)))
             FROM unnest($1::bigint[]) AS actor (id) ORDER BY actor.id"
        }
        Side::Actor => {
            "WITH bumped AS (
                 UPDATE movies SET version = version + 1, updated_at = $2, updated_by = $3
                 WHERE id = ANY($1) RETURNING id, version
             )
             INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                                    changes)
             SELECT $2, $3, 'movie', id, 'update', ARRAY['actors'], version,
                    jsonb_build_object('actors', jsonb_build_object(
                        'from', NULL, 'to', jsonb_build_object('moved', $4::bigint)))
             FROM bumped ORDER BY id"
        }
    };
    sqlx::query(sql)
        .bind(ids)
        .bind(edit.at)
        .bind(&edit.by)
        .bind(id)
        .execute(conn)
        .await
        .map_err(from_sqlx)?;
    Ok(())
}

/// The ids in exactly one of `old` and `new` (both ascending): the links a write changed.
pub(crate) fn moved(old: &[i64], new: &[i64]) -> Vec<i64> {
    let mut ids: Vec<i64> = old
        .iter()
        .filter(|id| new.binary_search(id).is_err())
        .chain(new.iter().filter(|id| old.binary_search(id).is_err()))
        .copied()
        .collect();
    ids.sort_unstable();
    ids
}

/// The end of a delete, the same for both sides once the record is locked and read: its
/// delete entry (`fields`, each to nothing as `changes` says, at `gone`, one past its last
/// version), the row deleted (its links go with it), and a new version for each record of the
/// other side it was linked to (`linked`).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_delete(
    conn: &mut PgConnection,
    edit: &Edit,
    side: Side,
    id: i64,
    fields: &[&str],
    changes: &Changes,
    gone: Version,
    linked: &[i64],
) -> Result<()> {
    let (kind, delete) = match side {
        Side::Movie => (ResourceKind::Movie, "DELETE FROM movies WHERE id = $1"),
        Side::Actor => (ResourceKind::Actor, "DELETE FROM actors WHERE id = $1"),
    };
    log(
        conn,
        edit,
        kind,
        id,
        AuditAction::Delete,
        fields,
        changes,
        gone,
    )
    .await?;
    sqlx::query(delete)
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    touch(conn, side, id, linked, edit).await
}

/// Checks the version of a record the write has locked.
pub(crate) fn expect(kind: ResourceKind, id: i64, version: i64, edit: &Edit) -> Result<()> {
    let current = stored_version(version)?;
    edit.check(current)
        .map_err(|current| StoreError::PreconditionFailed { kind, id, current })
}

/// Claims an idempotency key for this transaction: `Ok(Some(record))` when the same request was
/// made with it before and has not expired (the record as it was answered), `Ok(None)` when the
/// create should run. A concurrent request holding the same key is
/// [`StoreError::RequestInProgress`]; the key with another request is
/// [`StoreError::IdempotencyKeyReused`]. The claim (a transaction-level advisory lock on the
/// key) holds until the transaction ends, on every server sharing the database.
pub(crate) async fn claim<T: DeserializeOwned>(
    conn: &mut PgConnection,
    kind: ResourceKind,
    edit: &Edit,
    key: &Idempotency,
) -> Result<Option<T>> {
    let claimed: bool = sqlx::query_scalar(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || chr(31) || $2 || chr(31) || $3, 11))",
    )
    .bind(&edit.by)
    .bind(resource(kind))
    .bind(key.key.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    if !claimed {
        return Err(StoreError::RequestInProgress);
    }
    // Forget a few expired keys while here: the table stays as small as its live keys.
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM idempotency_keys WHERE expires_at <= $1 LIMIT 100
         ))",
    )
    .bind(edit.at)
    .execute(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let kept: Option<(String, String)> = sqlx::query_as(
        "SELECT request, record FROM idempotency_keys
         WHERE subject = $1 AND resource = $2 AND key = $3 AND expires_at > $4",
    )
    .bind(&edit.by)
    .bind(resource(kind))
    .bind(key.key.as_str())
    .bind(edit.at)
    .fetch_optional(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    match kept {
        None => Ok(None),
        Some((request, _)) if request != key.request => Err(StoreError::IdempotencyKeyReused),
        Some((_, record)) => serde_json::from_str(&record)
            .map(Some)
            .map_err(StoreError::internal),
    }
}

/// Keeps `record` under the claimed key, replacing an expired one.
pub(crate) async fn keep<T: Serialize>(
    conn: &mut PgConnection,
    kind: ResourceKind,
    edit: &Edit,
    key: &Idempotency,
    record: &T,
) -> Result<()> {
    let record = serde_json::to_string(record).map_err(StoreError::internal)?;
    sqlx::query(
        "INSERT INTO idempotency_keys (subject, resource, key, request, record, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (subject, resource, key) DO UPDATE
         SET request = excluded.request, record = excluded.record,
             expires_at = excluded.expires_at",
    )
    .bind(&edit.by)
    .bind(resource(kind))
    .bind(key.key.as_str())
    .bind(&key.request)
    .bind(record)
    .bind(key.expires_at)
    .execute(conn)
    .await
    .map_err(from_sqlx)?;
    Ok(())
}
