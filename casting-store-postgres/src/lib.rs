//! A PostgreSQL [`Store`](casting_core::Store) for the casting API.
//!
//! - [`PostgresStore`] runs over a [`sqlx::PgPool`]: build it from a pool you own
//!   ([`PostgresStore::new`]) or from a URL ([`PostgresStore::connect`], with [`PoolSettings`]).
//! - The schema lives in numbered migrations embedded in the crate ([`MIGRATOR`], [`migrate`]).
//! - [`adopt`] converts the original Flask app's database in place, keeping every id.
//! - Paging, totals and `q` run in SQL; each list is one statement, so its page and its total
//!   come from one snapshot.
//! - Every write is one transaction. Rows are locked in one order — the record being written
//!   first, then the other side's rows in ascending id order (actors `FOR KEY SHARE` from movie
//!   writes, movies `FOR NO KEY UPDATE` from actor writes) — so concurrent edits of one cast
//!   serialise and movie-side and actor-side edits never deadlock.
//! - The trail is a log (migration 0010): a write's entries become readable once a numbering
//!   step, run after every write and before every read of the trail, gives them their position
//!   in commit order (and an actor's entry written by a movie write its version);
//!   every instance is woken by `LISTEN`/`NOTIFY` when entries are numbered. A movie write gives
//!   its actors their new versions without writing their rows, so writes naming the same
//!   actors do not queue.
//! - Connection failures and pool timeouts are
//!   [`StoreError::Unavailable`](casting_core::StoreError::Unavailable); constraint violations
//!   become domain errors; the sqlx error is kept as the source.
//! - With the feature `testing`, `testing` gives a fresh, migrated database per test: the
//!   fixture that runs `casting_core`'s conformance suite on this store, or on a store that
//!   wraps it (`casting_core::conformance` shows both).

#![cfg_attr(docsrs, feature(doc_cfg))]

mod acquire;
mod actors;
mod adopt;
mod cast;
mod error;
mod history;
mod links;
mod list;
mod log;
mod movies;
mod pool;
mod restore;
mod retention;
mod rows;
mod schema;
mod tail;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod trail;
mod values;
mod write;

pub use adopt::{AdoptError, AdoptOptions, Report, adopt};
pub use pool::{PoolSettings, PoolStats, PostgresStore};
pub use retention::{PRUNE_BATCH, PRUNE_EVERY};
pub use schema::{MIGRATOR, fold_search_text, migrate};

/// This crate's README, its example compiled as a doc test so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
