//! Connections from the pool, with the wait for them measured: `casting_db_pool_pending_acquires`
//! (a gauge: requests waiting for a connection now) and `casting_db_pool_acquire_seconds` (a
//! histogram: how long each waited). sqlx counts neither, so every query of this crate takes
//! its connection here. Timeouts are counted where they become errors (`error.rs`).

use std::time::Instant;

use casting_core::StoreError;
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

use crate::error::from_sqlx;

/// Takes one off the pending gauge when the acquire ends, however it ends (a cancelled request
/// drops its future mid-wait).
struct Pending(metrics::Gauge);

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// A connection from `pool`, waiting at most the pool's acquire timeout.
pub(crate) async fn connection(pool: &PgPool) -> Result<PoolConnection<Postgres>, StoreError> {
    let pending = metrics::gauge!("casting_db_pool_pending_acquires");
    pending.increment(1.0);
    let _pending = Pending(pending);
    let started = Instant::now();
    let acquired = pool.acquire().await;
    metrics::histogram!("casting_db_pool_acquire_seconds").record(started.elapsed());
    acquired.map_err(from_sqlx)
}
