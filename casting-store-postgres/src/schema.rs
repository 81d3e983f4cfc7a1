//! The schema: the embedded migrations, and running them.

use casting_core::StoreError;
use casting_core::query::fold;
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
    MIGRATOR.run(pool).await.map_err(error::from_migrate)?;
    fold_search_text(pool).await?;
    Ok(())
}

/// How many rows [`fold_search_text`] folds per statement.
const FOLD_BATCH: i64 = 1_000;

/// For each table: the rows still to fold, and the statement that stores their folded text
/// (only where the text is still the one that was folded, and still unfolded, so a concurrent
/// write by another instance wins).
const TO_FOLD: [(&str, &str); 2] = [
    (
        "SELECT id, title FROM movies WHERE title_folded IS NULL ORDER BY id LIMIT $1",
        "UPDATE movies AS m SET title_folded = v.folded
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, text, folded)
         WHERE m.id = v.id AND m.title = v.text AND m.title_folded IS NULL",
    ),
    (
        "SELECT id, name FROM actors WHERE name_folded IS NULL ORDER BY id LIMIT $1",
        "UPDATE actors AS m SET name_folded = v.folded
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, text, folded)
         WHERE m.id = v.id AND m.name = v.text AND m.name_folded IS NULL",
    ),
];

/// Fills in the folded title or name that `q` searches (migration 0007) wherever a row lacks
/// it: rows from before that migration, or written by anything but this store (a bulk load in
/// SQL, an older server during a rolling upgrade). [`migrate`] runs it; a tool that writes
/// rows in SQL calls it afterwards. Batches of 1,000 rows; with nothing to fold, one index
/// probe per table. Returns how many rows it folded.
pub async fn fold_search_text(pool: &PgPool) -> Result<u64, StoreError> {
    let mut folded_rows = 0;
    for (select, update) in TO_FOLD {
        loop {
            let rows: Vec<(i64, String)> = sqlx::query_as(select)
                .bind(FOLD_BATCH)
                .fetch_all(pool)
                .await
                .map_err(error::from_sqlx)?;
            if rows.is_empty() {
                break;
            }
            let folded: Vec<String> = rows.iter().map(|(_, text)| fold(text)).collect();
            let (ids, texts): (Vec<i64>, Vec<String>) = rows.into_iter().unzip();
            let done = sqlx::query(update)
                .bind(&ids)
                .bind(&texts)
                .bind(&folded)
                .execute(pool)
                .await
                .map_err(error::from_sqlx)?;
            folded_rows += done.rows_affected();
            if done.rows_affected() == 0 {
                // Every row of the batch changed under us and will be folded by its writer;
                // stop rather than read the same rows again.
                break;
            }
        }
    }
    Ok(folded_rows)
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
