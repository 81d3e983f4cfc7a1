//! Numbering in the background: the trail entries that movie writes leave an actor not
//! numbered yet (migration 0009) are counted by every read of that actor, so an actor who is
//! cast often but never edited would make their reads dearer and dearer. A background pass
//! numbers them, as the actor's own write would, for every actor with at least
//! [`NUMBER_FROM`] of them.

use std::time::Duration;

use casting_core::{ActorId, StoreError};
use tokio::task::JoinHandle;

use crate::acquire::{begin, connection};
use crate::actors::settle;
use crate::error::from_sqlx;
use crate::history::finish;
use crate::pool::PostgresStore;

/// How many entries not numbered yet an actor gathers before the background pass numbers
/// them: a read counts 100 in a few hundredths of a millisecond (`docs/performance.md`).
pub const NUMBER_FROM: i64 = 100;

/// How often [`PostgresStore::keep_actor_versions_numbered`] looks.
pub const NUMBER_EVERY: Duration = Duration::from_secs(10);

/// The most actors one pass numbers (the ones with the most entries first).
const ACTORS_PER_PASS: i64 = 100;

/// The most entries one transaction numbers: the actor is held (movie writes naming them
/// wait) for one statement of about this size at a time.
const ENTRIES_PER_STATEMENT: i64 = 500;

impl PostgresStore {
    /// Numbers the trail entries not numbered yet of every actor who has at least `at_least`
    /// of them (at most 100 actors, those with the most first), 500 at a time, each in a short
    /// transaction of its own that holds the actor as their own write would (movie writes
    /// naming the actor wait for it); returns how many actors it numbered. Versions, `ETag`s
    /// and the trail read the same before and after: only the cost of reading the actor
    /// changes.
    pub async fn number_actor_entries(&self, at_least: i64) -> Result<u64, StoreError> {
        let actors: Vec<i64> = {
            let mut conn = connection(self.pool()).await?;
            sqlx::query_scalar(
                "SELECT resource_id FROM audit_log WHERE version IS NULL
                 GROUP BY resource_id HAVING count(*) >= $1
                 ORDER BY count(*) DESC, resource_id LIMIT $2",
            )
            .bind(at_least.max(1))
            .bind(ACTORS_PER_PASS)
            .fetch_all(&mut *conn)
            .await
            .map_err(from_sqlx)?
        };
        let mut numbered = 0;
        for actor in actors {
            loop {
                let mut conn = connection(self.pool()).await?;
                let mut tx = begin(&mut conn).await?;
                let result = settle(&mut tx, ActorId(actor), Some(ENTRIES_PER_STATEMENT)).await;
                // An actor deleted since was numbered by their delete.
                if finish(tx, result).await?.unwrap_or(0) < ENTRIES_PER_STATEMENT {
                    break;
                }
            }
            numbered += 1;
        }
        Ok(numbered)
    }

    /// Keeps actors' reads cheap: every [`NUMBER_EVERY`], in a background task, numbers the
    /// entries of the actors with at least [`NUMBER_FROM`] not numbered yet (errors are
    /// logged, and the next round tries again). Abort the handle to stop it.
    pub fn keep_actor_versions_numbered(&self) -> JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(NUMBER_EVERY);
            loop {
                ticks.tick().await;
                match store.number_actor_entries(NUMBER_FROM).await {
                    Ok(0) => {}
                    Ok(actors) => tracing::debug!(actors, "actors' trail entries numbered"),
                    Err(error) => {
                        tracing::warn!(%error, "numbering actors' trail entries failed; next round retries")
                    }
                }
            }
        })
    }
}
