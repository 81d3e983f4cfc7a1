//! The schema: the embedded migrations, and running them.

use casting_core::StoreError;
use sqlx::PgPool;
use sqlx::migrate::Migrator;

use crate::error;

/// The embedded migrations (`casting-store-postgres/migrations/*.sql`).
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Applies every migration the database does not have yet; safe to run again. A database that
/// holds the original Flask app's tables is refused with an error that names
/// `casting-server adopt` (see [`adopt`](crate::adopt)), before anything is changed.
pub async fn migrate(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    if is_original(pool).await.map_err(error::from_sqlx)? {
        return Err(StoreError::internal(
            "this database holds the original Flask app's tables: run `casting-server adopt` \
             to convert it (see docs/deployment.md)",
        ));
    }
    MIGRATOR.run(pool).await.map_err(error::from_migrate)
}

/// Whether the database holds the original Flask app's tables, not yet adopted.
async fn is_original(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT to_regclass('_sqlx_migrations') IS NULL
            AND to_regclass('movies') IS NOT NULL
            AND to_regtype('gender_enum') IS NOT NULL",
    )
    .fetch_one(pool)
    .await
}
