//! Reading the trail back: a page of entries with the other side's moved ids rewritten as
//! whole lists (`casting_core::audit::expand_lists`), from the records' newer entries (in log
//! order, those still waiting for a position last) and their lists now, both read in one
//! snapshot. Every read of an entry rebuilds the same lists: what came after it is fixed.

use std::collections::HashMap;

use casting_core::audit::{RecordKey, expand_lists, records_to_expand};
use casting_core::{AuditEntry, ResourceKind, StoreResult as Result};
use sqlx::{PgConnection, PgPool};

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history::resource;
use crate::rows::AuditListLine;

/// Rewrites the moved ids of `page` as whole lists.
pub(crate) async fn expand(pool: &PgPool, page: &mut [AuditEntry]) -> Result<()> {
    let records = records_to_expand(page);
    if records.is_empty() {
        return Ok(());
    }
    let mut conn = connection(pool).await?;
    // One snapshot for the history and the lists now, so that they agree. No JIT: the planner
    // cannot tell how few entries wait for a position, and would compile for a large scan.
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off")
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let read = read_history(&mut conn, &records).await;
    let _ = sqlx::query("COMMIT").execute(&mut *conn).await;
    let (history, now) = read?;
    expand_lists(page, &history, &now);
    Ok(())
}

async fn read_history(
    conn: &mut PgConnection,
    records: &std::collections::BTreeMap<RecordKey, i64>,
) -> Result<(Vec<AuditEntry>, HashMap<RecordKey, Vec<i64>>)> {
    let kinds: Vec<&str> = records.keys().map(|(kind, _)| resource(*kind)).collect();
    let ids: Vec<i64> = records.keys().map(|(_, id)| *id).collect();
    let since: Vec<i64> = records.values().copied().collect();
    // Entries waiting for a position are newer than every positioned one, and will be
    // positioned in id order: they sort last, by id.
    let lines: Vec<AuditListLine> = sqlx::query_as(
        "SELECT NULL::bigint AS total, e.position AS id, e.at, e.subject, e.resource,
                e.resource_id, e.action, e.fields, e.version, e.changes::text AS changes
         FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS r (resource, resource_id, since)
         JOIN audit_entries AS e
           ON e.resource = r.resource AND e.resource_id = r.resource_id AND e.position >= r.since
         UNION ALL
         SELECT NULL::bigint, 4611686018427387904 + u.id, u.at, u.subject, u.resource,
                u.resource_id, u.action, u.fields, coalesce(u.version, 1), u.changes::text
         FROM unnest($1::text[], $2::bigint[]) AS r (resource, resource_id)
         JOIN audit_pending AS u ON u.resource = r.resource AND u.resource_id = r.resource_id",
    )
    .bind(&kinds)
    .bind(&ids)
    .bind(&since)
    .fetch_all(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let mut history = Vec::with_capacity(lines.len());
    for line in lines {
        if let Some(entry) = line.into_item()? {
            history.push(entry);
        }
    }
    let now = lists_of(conn, records.keys().copied()).await?;
    Ok((history, now))
}

/// The list now of each of `records` that exists (a movie's actors, an actor's movies,
/// ascending).
pub(crate) async fn lists_of(
    conn: &mut PgConnection,
    records: impl Iterator<Item = RecordKey>,
) -> Result<HashMap<RecordKey, Vec<i64>>> {
    let records: Vec<RecordKey> = records.collect();
    let mut now = HashMap::new();
    for kind in [ResourceKind::Movie, ResourceKind::Actor] {
        let wanted: Vec<i64> = records
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let sql = match kind {
            ResourceKind::Movie => {
                "SELECT m.id, ARRAY(SELECT actor_id FROM actors_movies WHERE movie_id = m.id
                                    ORDER BY actor_id)
                 FROM movies AS m WHERE m.id = ANY($1)"
            }
            ResourceKind::Actor => {
                "SELECT a.id, ARRAY(SELECT movie_id FROM actors_movies WHERE actor_id = a.id
                                    ORDER BY movie_id)
                 FROM actors AS a WHERE a.id = ANY($1)"
            }
        };
        let lists: Vec<(i64, Vec<i64>)> = sqlx::query_as(sql)
            .bind(&wanted)
            .fetch_all(&mut *conn)
            .await
            .map_err(from_sqlx)?;
        now.extend(lists.into_iter().map(|(id, list)| ((kind, id), list)));
    }
    Ok(now)
}
