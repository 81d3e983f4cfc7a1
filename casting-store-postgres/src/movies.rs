//! Movie reads and writes. A movie write locks the movie row first, then the actors it links
//! (`FOR KEY SHARE`, ascending): the lock order shared with `actors.rs`.

use casting_core::{
    ActorId, Movie, MovieId, MoviePatch, NewMovie, ReleaseDate, ResourceKind, StoreError,
    StoreResult as Result, Title,
};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::error::from_sqlx;
use crate::links::{self, Side, all_found, normalise};
use crate::rows::{CreatedRow, MovieDetailRow, MovieRow};

const GET: &str = "
    SELECT m.title, m.release_date,
           ARRAY(SELECT actor_id FROM actors_movies WHERE movie_id = m.id ORDER BY actor_id)
               AS actors
    FROM movies AS m WHERE m.id = $1";

/// Locks the actors a movie write links, so none can be deleted before the write commits, and
/// fails naming those that do not exist.
pub(crate) async fn lock_actors(conn: &mut PgConnection, actors: &[i64]) -> Result<()> {
    if actors.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM actors WHERE id = ANY($1) ORDER BY id FOR KEY SHARE")
            .bind(actors)
            .fetch_all(&mut *conn)
            .await
            .map_err(from_sqlx)?;
    all_found(ResourceKind::Actor, actors, &found)
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: MovieId) -> Result<Movie> {
    let row: Option<MovieDetailRow> = sqlx::query_as(GET)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::movie_not_found(id))?;
    row.movie.into_movie(id.get(), row.actors)
}

/// A movie and its cast in one statement (one round trip, one implicit transaction): lock the
/// cast's actors (`FOR KEY SHARE`, ascending), insert the movie only if every actor was found,
/// link them, billed in ascending actor id order. When an actor is missing nothing is inserted and `id` is NULL; `found` names
/// those that exist.
const CREATE: &str = "
    WITH locked AS (
        SELECT id FROM actors WHERE id = ANY($3) ORDER BY id FOR KEY SHARE
    ), movie AS (
        INSERT INTO movies (title, release_date)
        SELECT $1, $2 WHERE (SELECT count(*) FROM locked) = cardinality($3::bigint[])
        RETURNING id
    ), cast_links AS (
        INSERT INTO actors_movies (movie_id, actor_id, billing)
        SELECT movie.id, locked.id, row_number() OVER (ORDER BY locked.id) FROM movie, locked
    )
    SELECT (SELECT id FROM movie) AS id, ARRAY(SELECT id FROM locked ORDER BY id) AS found";

#[instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn create(pool: &PgPool, new: NewMovie) -> Result<Movie> {
    let actors = normalise(&new.actors);
    let created: CreatedRow = sqlx::query_as(CREATE)
        .bind(new.title.as_str())
        .bind(new.release_date.date())
        .bind(&actors)
        .fetch_one(pool)
        .await
        .map_err(from_sqlx)?;
    let Some(id) = created.id else {
        all_found(ResourceKind::Actor, &actors, &created.found)?;
        return Err(StoreError::internal(
            "the movie was not inserted, though every actor exists",
        ));
    };
    Ok(Movie {
        id: MovieId(id),
        title: new.title,
        release_date: new.release_date,
        actors: actors.into_iter().map(ActorId).collect(),
    })
}

#[instrument(level = "debug", skip(pool, patch), err(level = "debug"))]
pub(crate) async fn update(pool: &PgPool, id: MovieId, patch: MoviePatch) -> Result<Movie> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    // The UPDATE locks the movie row first, whatever the patch holds.
    let row: Option<MovieRow> = sqlx::query_as(
        "UPDATE movies SET title = COALESCE($2, title),
                           release_date = COALESCE($3, release_date)
         WHERE id = $1 RETURNING title, release_date",
    )
    .bind(id.get())
    .bind(patch.title.as_ref().map(Title::as_str))
    .bind(patch.release_date.map(ReleaseDate::date))
    .fetch_optional(&mut *tx)
    .await
    .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::movie_not_found(id))?;
    let actors = match patch.actors {
        Some(actors) => {
            let actors = normalise(&actors);
            lock_actors(&mut tx, &actors).await?;
            links::replace(&mut tx, Side::Movie, id.get(), &actors).await?;
            actors
        }
        None => links::linked(&mut tx, Side::Movie, id.get()).await?,
    };
    tx.commit().await.map_err(from_sqlx)?;
    row.into_movie(id.get(), actors)
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn delete(pool: &PgPool, id: MovieId) -> Result<Movie> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    let row: Option<MovieRow> =
        sqlx::query_as("SELECT title, release_date FROM movies WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::movie_not_found(id))?;
    let actors = links::linked(&mut tx, Side::Movie, id.get()).await?;
    sqlx::query("DELETE FROM movies WHERE id = $1")
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
    tx.commit().await.map_err(from_sqlx)?;
    row.into_movie(id.get(), actors)
}
