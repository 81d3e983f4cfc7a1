//! Audit retention: entries older than a cut-off are deleted, oldest first, in small batches
//! (each its own short statement, so writers never wait on a long delete). A deleted record
//! whose delete entry is pruned can no longer be restored.

use std::time::Duration;

use casting_core::StoreError;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::error::from_sqlx;
use crate::pool::PostgresStore;

/// The most entries one pruning statement deletes.
pub const PRUNE_BATCH: i64 = 1_000;

/// How often [`PostgresStore::keep_audit_for`] prunes.
pub const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// One batch: of the oldest [`PRUNE_BATCH`] entries in the log (by position), those written
/// before `before`. Positions follow commit order, so times rise with them up to clock
/// differences between servers; an entry a little out of order goes in a later round. Entries
/// still waiting for their position are not pruned. The newest position pruned is kept in
/// `log_head` (a log reader from before it gets `CursorExpired`).
async fn prune_batch(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, StoreError> {
    let pruned: i64 = sqlx::query_scalar(
        "WITH gone AS (
             SELECT p.position, p.entry_id
             FROM audit_positions AS p JOIN audit_log AS e ON e.id = p.entry_id
             WHERE p.position = ANY(ARRAY(SELECT position FROM audit_positions
                                          ORDER BY position LIMIT $2))
               AND e.at < $1
         ), entries AS (
             DELETE FROM audit_log WHERE id IN (SELECT entry_id FROM gone)
         ), places AS (
             DELETE FROM audit_positions WHERE position IN (SELECT position FROM gone)
         ), moved AS (
             UPDATE log_head SET pruned_through = greatest(pruned_through, newest)
             FROM (SELECT max(position) AS newest FROM gone) AS g
             WHERE g.newest IS NOT NULL
         )
         SELECT count(*) FROM gone",
    )
    .bind(before)
    .bind(PRUNE_BATCH)
    .fetch_one(pool)
    .await
    .map_err(from_sqlx)?;
    Ok(u64::try_from(pruned).unwrap_or(0))
}

impl PostgresStore {
    /// Deletes the audit entries written before `before`, oldest first, in batches of
    /// [`PRUNE_BATCH`]; returns how many went. Deleted records whose delete entry goes can
    /// no longer be restored.
    pub async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut pruned = 0;
        loop {
            let batch = prune_batch(self.pool(), before).await?;
            pruned += batch;
            if batch == 0 {
                return Ok(pruned);
            }
            // Let other work in between batches.
            tokio::task::yield_now().await;
        }
    }

    /// Keeps the audit trail to `retention`: prunes now and every [`PRUNE_EVERY`] in a
    /// background task (errors are logged, and the next round tries again). Abort the handle
    /// to stop it.
    pub fn keep_audit_for(&self, retention: TimeDelta) -> JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(PRUNE_EVERY);
            loop {
                ticks.tick().await;
                match store.prune_audit(Utc::now() - retention).await {
                    Ok(0) => {}
                    Ok(pruned) => tracing::info!(pruned, "audit entries past retention pruned"),
                    Err(error) => {
                        tracing::warn!(%error, "audit pruning failed; next round retries")
                    }
                }
            }
        })
    }
}
