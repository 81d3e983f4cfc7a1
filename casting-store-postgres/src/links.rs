//! Helpers for the link table `actors_movies`, shared by movie and actor writes.

use casting_core::{ResourceKind, StoreError, StoreResult as Result, UnknownIds};
use sqlx::PgConnection;

use crate::error::from_sqlx;

/// Relation ids as the database wants them: ascending, without repeats.
pub(crate) fn normalise<T: Into<i64> + Copy>(ids: &[T]) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.iter().map(|id| (*id).into()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `Ok` when every id in `wanted` (ascending) is in `found` (ascending), else the error naming
/// the `kind` ids that are missing.
pub(crate) fn all_found(kind: ResourceKind, wanted: &[i64], found: &[i64]) -> Result<()> {
    let missing = wanted
        .iter()
        .copied()
        .filter(|id| found.binary_search(id).is_err());
    match UnknownIds::new(missing) {
        None => Ok(()),
        Some(ids) => Err(StoreError::UnknownRelations { kind, ids }),
    }
}

/// The other side's ids linked to `id`, ascending: a movie's actors (`Side::Movie`) or an
/// actor's movies (`Side::Actor`).
pub(crate) async fn linked(conn: &mut PgConnection, side: Side, id: i64) -> Result<Vec<i64>> {
    let sql = match side {
        Side::Movie => "SELECT actor_id FROM actors_movies WHERE movie_id = $1 ORDER BY actor_id",
        Side::Actor => "SELECT movie_id FROM actors_movies WHERE actor_id = $1 ORDER BY movie_id",
    };
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_all(conn)
        .await
        .map_err(from_sqlx)
}

/// Links `id` to `others` (checked and locked), keeping the links (and credits) it already
/// has. Each new link is billed after the highest position of its movie, without a character:
/// a movie's new actors in ascending id order.
pub(crate) async fn add(
    conn: &mut PgConnection,
    side: Side,
    id: i64,
    others: &[i64],
) -> Result<()> {
    if others.is_empty() {
        return Ok(());
    }
    let sql = match side {
        Side::Movie => {
            "INSERT INTO actors_movies (movie_id, actor_id, billing)
             SELECT $1, new.actor_id,
                    (SELECT coalesce(max(billing), 0) FROM actors_movies WHERE movie_id = $1)
                    + row_number() OVER (ORDER BY new.actor_id)
             FROM unnest($2::bigint[]) AS new (actor_id)
             WHERE NOT EXISTS (
                 SELECT 1 FROM actors_movies WHERE movie_id = $1 AND actor_id = new.actor_id
             )"
        }
        Side::Actor => {
            "INSERT INTO actors_movies (movie_id, actor_id, billing)
             SELECT new.movie_id, $1,
                    (SELECT coalesce(max(billing), 0) + 1 FROM actors_movies
                     WHERE movie_id = new.movie_id)
             FROM unnest($2::bigint[]) AS new (movie_id)
             WHERE NOT EXISTS (
                 SELECT 1 FROM actors_movies WHERE movie_id = new.movie_id AND actor_id = $1
             )"
        }
    };
    execute(conn, sql, id, others).await
}

/// Makes `others` (checked and locked) the whole list of `id`'s links; links that stay keep
/// their credits.
pub(crate) async fn replace(
    conn: &mut PgConnection,
    side: Side,
    id: i64,
    others: &[i64],
) -> Result<()> {
    let sql = match side {
        Side::Movie => "DELETE FROM actors_movies WHERE movie_id = $1 AND actor_id <> ALL($2)",
        Side::Actor => "DELETE FROM actors_movies WHERE actor_id = $1 AND movie_id <> ALL($2)",
    };
    execute(conn, sql, id, others).await?;
    add(conn, side, id, others).await
}

/// Runs a link-table statement over one record's id (`$1`) and the other side's ids (`$2`).
async fn execute(
    conn: &mut PgConnection,
    sql: &'static str,
    id: i64,
    others: &[i64],
) -> Result<()> {
    sqlx::query(sql)
        .bind(id)
        .bind(others)
        .execute(conn)
        .await
        .map_err(from_sqlx)?;
    Ok(())
}

/// Which side of the relation a write starts from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Side {
    /// A movie and its actors.
    Movie,
    /// An actor and their movies.
    Actor,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_ids_are_named_and_found_ones_pass() {
        assert!(all_found(ResourceKind::Actor, &[1, 2], &[1, 2]).is_ok());
        match all_found(ResourceKind::Actor, &[1, 2, 5], &[2]) {
            Err(StoreError::UnknownRelations { kind, ids }) => {
                assert_eq!(kind, ResourceKind::Actor);
                assert_eq!(ids.as_slice(), [1, 5]);
            }
            other => panic!("expected UnknownRelations, got {other:?}"),
        }
    }
}
