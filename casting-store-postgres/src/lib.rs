//! A PostgreSQL [`Store`](casting_core::Store) for the casting API.
//!
//! - [`PostgresStore`] runs over a [`sqlx::PgPool`]: build it from a pool you own
//!   ([`PostgresStore::new`]) or from a URL ([`PostgresStore::connect`], with [`PoolSettings`]).
//! - The schema lives in numbered migrations embedded in the crate ([`MIGRATOR`], [`migrate`]).
//! - Paging, totals and `q` run in SQL; each list is one statement, so its page and its total
//!   come from one snapshot.
//! - Every write is one transaction. Rows are locked in one order — the record being written
//!   first, then the other side's rows in ascending id order (actors `FOR KEY SHARE` from movie
//!   writes, movies `FOR NO KEY UPDATE` from actor writes) — so concurrent edits of one cast
//!   serialise and movie-side and actor-side edits never deadlock.
//! - Connection failures and pool timeouts are
//!   [`StoreError::Unavailable`](casting_core::StoreError::Unavailable); constraint violations
//!   become domain errors; the sqlx error is kept as the source.

mod actors;
mod cast;
mod error;
mod links;
mod list;
mod movies;
mod pool;
mod rows;
#[cfg(feature = "testing")]
pub mod testing;

pub use pool::{PoolSettings, PostgresStore};

use sqlx::migrate::Migrator;

/// The embedded migrations (`casting-store-postgres/migrations/*.sql`).
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Applies every migration the database does not have yet; safe to run again.
pub async fn migrate(pool: &sqlx::PgPool) -> Result<(), casting_core::StoreError> {
    MIGRATOR.run(pool).await.map_err(error::from_migrate)
}
