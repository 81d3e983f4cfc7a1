//! The one home of a write's transaction: [`write`] runs a write whole or not at all, and
//! [`write_retrying`] starts it again when what it depends on moved before it could lock it.
//! Every write of this store that takes more than one statement goes through one of them.

use std::future::Future;
use std::pin::Pin;

use casting_core::{StoreError, StoreResult as Result};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};

use crate::acquire::connection;
use crate::error::from_sqlx;

/// How often [`write_retrying`] starts a write again before it gives up.
pub(crate) const ATTEMPTS: usize = 10;

/// What one attempt of a write that may start again came to.
pub(crate) enum Attempt<T> {
    /// The write is whole: commit it.
    Done(T),
    /// What the write depends on moved before it could lock it: roll back everything the
    /// attempt did, then start again.
    Moved,
}

/// Runs `work` in one transaction on a connection of `pool`: commits when it succeeds, rolls
/// back (explicitly, so no lock outlives the request) when it fails, and reports the error
/// that ended the work.
pub(crate) async fn write<T>(
    pool: &PgPool,
    work: impl AsyncFnOnce(&mut PgConnection) -> Result<T>,
) -> Result<T> {
    let mut conn = connection(pool).await?;
    let mut tx = conn.begin().await.map_err(from_sqlx)?;
    let result = work(&mut tx).await;
    finish(tx, result).await
}

/// One attempt of a write that may start again, on the transaction's connection.
pub(crate) type AttemptFuture<'c, T> =
    Pin<Box<dyn Future<Output = Result<Attempt<T>>> + Send + 'c>>;

/// [`write`], in a new transaction each time, while `work` answers [`Attempt::Moved`] (what
/// it did is rolled back whole first, its new versions and trail entries included), at most
/// [`ATTEMPTS`] times; then unavailable, with `gave_up` as the reason. (`work` gives a boxed
/// future that borrows only the connection, owning what else it needs: an async closure called
/// more than once cannot yet show the compiler that its futures are `Send` for every borrow.)
pub(crate) async fn write_retrying<T>(
    pool: &PgPool,
    gave_up: &'static str,
    work: impl for<'c> Fn(&'c mut PgConnection) -> AttemptFuture<'c, T>,
) -> Result<T> {
    for _ in 0..ATTEMPTS {
        let mut conn = connection(pool).await?;
        let mut tx = conn.begin().await.map_err(from_sqlx)?;
        match work(&mut tx).await {
            Ok(Attempt::Done(value)) => return finish(tx, Ok(value)).await,
            Ok(Attempt::Moved) => tx.rollback().await.map_err(from_sqlx)?,
            Err(error) => return finish(tx, Err(error)).await,
        }
    }
    Err(StoreError::unavailable(gave_up))
}

/// Ends a write's transaction: commits what succeeded, rolls back what failed.
async fn finish<T>(tx: Transaction<'_, Postgres>, result: Result<T>) -> Result<T> {
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
