//! What every write records besides itself, in its own transaction: the audit trail, new
//! versions of the other side's records whose links it changed, and the idempotency keys of
//! creates. Also how every write's transaction ends.

use casting_core::{
    AuditAction, Changes, Edit, Idempotency, ResourceKind, StoreError, StoreResult as Result,
    Version,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::error::from_sqlx;
use crate::links::Side;
use crate::rows::stored_version;

/// Ends a write's transaction: commits what succeeded, rolls back (explicitly, so no lock
/// outlives the request) what failed.
pub(crate) async fn finish<T>(tx: Transaction<'_, Postgres>, result: Result<T>) -> Result<T> {
    match result {
        Ok(value) => {
            tx.commit().await.map_err(from_sqlx)?;
            Ok(value)
        }
        Err(error) => {
            // The error that ended the work is the one to report.
            let _ = tx.rollback().await;
            Err(error)
        }
    }
}

/// What one attempt of a write that may start again came to.
pub(crate) enum Attempt<T> {
    /// The write is whole: commit it.
    Done(T),
    /// What the write depends on moved before it could lock it: roll back everything the
    /// attempt did, then start again.
    Moved,
}

/// Ends one attempt's transaction: commits a [`Attempt::Done`] attempt and gives its value;
/// rolls back an attempt that must start again (`Ok(None)`: nothing it wrote is kept) or that
/// failed.
pub(crate) async fn finish_attempt<T>(
    tx: Transaction<'_, Postgres>,
    result: Result<Attempt<T>>,
) -> Result<Option<T>> {
    match result {
        Ok(Attempt::Done(value)) => finish(tx, Ok(value)).await.map(Some),
        Ok(Attempt::Moved) => {
            tx.rollback().await.map_err(from_sqlx)?;
            Ok(None)
        }
        Err(error) => finish(tx, Err(error)).await,
    }
}

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

/// Why a write that found no row to change failed: the record is missing, or it has another
/// version than the one expected.
pub(crate) async fn refusal(conn: &mut PgConnection, kind: ResourceKind, id: i64) -> StoreError {
    let sql = match kind {
        ResourceKind::Movie => "SELECT version FROM movies WHERE id = $1",
        ResourceKind::Actor => "SELECT version FROM actors_now WHERE id = $1",
    };
    let current: Option<i64> = match sqlx::query_scalar(sql).bind(id).fetch_optional(conn).await {
        Ok(current) => current,
        Err(error) => return from_sqlx(error),
    };
    match current.map(stored_version) {
        None => StoreError::NotFound { kind, id },
        Some(Ok(current)) => StoreError::PreconditionFailed { kind, id, current },
        Some(Err(error)) => error,
    }
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
