//! Movie reads and writes. A movie write locks the movie row first, then the actors it links
//! (`FOR KEY SHARE`, ascending): the lock order shared with `actors.rs`.

use casting_core::{
    ActorId, Error, Movie, MovieId, MoviePatch, NewMovie, ReleaseDate, ResourceKind, Result, Title,
};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::error::{corrupt, from_sqlx};

const GET: &str = "
    SELECT m.title, m.release_date,
           ARRAY(SELECT actor_id FROM actors_movies WHERE movie_id = m.id ORDER BY actor_id)
    FROM movies AS m WHERE m.id = $1";

fn movie(id: i64, title: &str, date: NaiveDate, actors: Vec<i64>) -> Result<Movie> {
    Ok(Movie {
        id: MovieId(id),
        title: Title::parse(title).map_err(corrupt)?,
        release_date: ReleaseDate::try_from(date).map_err(corrupt)?,
        actors: actors.into_iter().map(ActorId).collect(),
    })
}

/// Relation ids as the database wants them: ascending, without repeats.
pub(crate) fn normalise<T: Into<i64> + Copy>(ids: &[T]) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.iter().map(|id| (*id).into()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Ids in `wanted` (ascending) missing from `found` (ascending).
pub(crate) fn missing(wanted: &[i64], found: &[i64]) -> Vec<i64> {
    wanted
        .iter()
        .copied()
        .filter(|id| found.binary_search(id).is_err())
        .collect()
}

/// Locks the actors a movie write links, so none can be deleted before the write commits, and
/// fails naming those that do not exist.
async fn lock_actors(conn: &mut PgConnection, actors: &[i64]) -> Result<()> {
    if actors.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM actors WHERE id = ANY($1) ORDER BY id FOR KEY SHARE")
            .bind(actors)
            .fetch_all(&mut *conn)
            .await
            .map_err(from_sqlx)?;
    let unknown = missing(actors, &found);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::UnknownRelations {
            kind: ResourceKind::Actor,
            ids: unknown,
        })
    }
}

/// Makes `actors` (checked and locked) the whole cast of `movie`.
async fn replace_cast(conn: &mut PgConnection, movie: i64, actors: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM actors_movies WHERE movie_id = $1 AND actor_id <> ALL($2)")
        .bind(movie)
        .bind(actors)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    add_cast(conn, movie, actors).await
}

/// Links `actors` (checked and locked) to `movie`, keeping links it already has.
async fn add_cast(conn: &mut PgConnection, movie: i64, actors: &[i64]) -> Result<()> {
    if !actors.is_empty() {
        sqlx::query(
            "INSERT INTO actors_movies (movie_id, actor_id)
             SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        )
        .bind(movie)
        .bind(actors)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    }
    Ok(())
}

async fn cast_of(conn: &mut PgConnection, movie: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT actor_id FROM actors_movies WHERE movie_id = $1 ORDER BY actor_id")
        .bind(movie)
        .fetch_all(conn)
        .await
        .map_err(from_sqlx)
}

#[instrument(skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: MovieId) -> Result<Movie> {
    let row: Option<(String, NaiveDate, Vec<i64>)> = sqlx::query_as(GET)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .map_err(from_sqlx)?;
    let (title, date, actors) = row.ok_or_else(|| Error::movie_not_found(id))?;
    movie(id.get(), &title, date, actors)
}

#[instrument(skip_all, err(level = "debug"))]
pub(crate) async fn create(pool: &PgPool, new: NewMovie) -> Result<Movie> {
    let actors = normalise(&new.actors);
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    let id: i64 =
        sqlx::query_scalar("INSERT INTO movies (title, release_date) VALUES ($1, $2) RETURNING id")
            .bind(new.title.as_str())
            .bind(new.release_date.date())
            .fetch_one(&mut *tx)
            .await
            .map_err(from_sqlx)?;
    lock_actors(&mut tx, &actors).await?;
    add_cast(&mut tx, id, &actors).await?;
    tx.commit().await.map_err(from_sqlx)?;
    Ok(Movie {
        id: MovieId(id),
        title: new.title,
        release_date: new.release_date,
        actors: actors.into_iter().map(ActorId).collect(),
    })
}

#[instrument(skip(pool, patch), err(level = "debug"))]
pub(crate) async fn update(pool: &PgPool, id: MovieId, patch: MoviePatch) -> Result<Movie> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    // The UPDATE locks the movie row first, whatever the patch holds.
    let row: Option<(String, NaiveDate)> = sqlx::query_as(
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
    let (title, date) = row.ok_or_else(|| Error::movie_not_found(id))?;
    let actors = match patch.actors {
        Some(actors) => {
            let actors = normalise(&actors);
            lock_actors(&mut tx, &actors).await?;
            replace_cast(&mut tx, id.get(), &actors).await?;
            actors
        }
        None => cast_of(&mut tx, id.get()).await?,
    };
    tx.commit().await.map_err(from_sqlx)?;
    movie(id.get(), &title, date, actors)
}

#[instrument(skip(pool), err(level = "debug"))]
pub(crate) async fn delete(pool: &PgPool, id: MovieId) -> Result<Movie> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    let row: Option<(String, NaiveDate)> =
        sqlx::query_as("SELECT title, release_date FROM movies WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
    let (title, date) = row.ok_or_else(|| Error::movie_not_found(id))?;
    let actors = cast_of(&mut tx, id.get()).await?;
    sqlx::query("DELETE FROM movies WHERE id = $1")
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
    tx.commit().await.map_err(from_sqlx)?;
    movie(id.get(), &title, date, actors)
}
