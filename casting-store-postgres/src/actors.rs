//! Actor reads and writes. An actor write locks the actor row first, then every movie whose
//! links it adds or removes (`FOR NO KEY UPDATE`, ascending), so it serialises with writes of
//! those movies' casts: the lock order shared with `movies.rs`.

use casting_core::{
    Actor, ActorId, ActorPatch, Age, Error, Gender, MovieId, Name, NewActor, ResourceKind, Result,
};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::error::from_sqlx;
use crate::list::actor_summary;
use crate::movies::{missing, normalise};

const GET: &str = "
    SELECT a.name, a.age, a.gender,
           ARRAY(SELECT movie_id FROM actors_movies WHERE actor_id = a.id ORDER BY movie_id)
    FROM actors AS a WHERE a.id = $1";

type ActorRow = (String, i16, String);

fn actor(id: i64, (name, age, gender): ActorRow, movies: Vec<i64>) -> Result<Actor> {
    let summary = actor_summary(id, &name, age, &gender)?;
    Ok(Actor {
        id: summary.id,
        name: summary.name,
        age: summary.age,
        gender: summary.gender,
        movies: movies.into_iter().map(MovieId).collect(),
    })
}

/// Locks the movies whose links to `actor` this write adds (`wanted`) or may remove (the
/// actor's current movies), ascending, and fails naming the wanted ones that do not exist.
async fn lock_movies(conn: &mut PgConnection, actor: i64, wanted: &[i64]) -> Result<()> {
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM movies
         WHERE id = ANY($2) OR id IN (SELECT movie_id FROM actors_movies WHERE actor_id = $1)
         ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(actor)
    .bind(wanted)
    .fetch_all(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let unknown = missing(wanted, &found);
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::UnknownRelations {
            kind: ResourceKind::Movie,
            ids: unknown,
        })
    }
}

/// Makes `movies` (checked and locked) the whole list of `actor`'s movies.
async fn replace_movies(conn: &mut PgConnection, actor: i64, movies: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM actors_movies WHERE actor_id = $1 AND movie_id <> ALL($2)")
        .bind(actor)
        .bind(movies)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    add_movies(conn, actor, movies).await
}

/// Links `actor` to `movies` (checked and locked), keeping links it already has.
async fn add_movies(conn: &mut PgConnection, actor: i64, movies: &[i64]) -> Result<()> {
    if !movies.is_empty() {
        sqlx::query(
            "INSERT INTO actors_movies (movie_id, actor_id)
             SELECT unnest($2::bigint[]), $1 ON CONFLICT DO NOTHING",
        )
        .bind(actor)
        .bind(movies)
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    }
    Ok(())
}

async fn movies_of(conn: &mut PgConnection, actor: i64) -> Result<Vec<i64>> {
    sqlx::query_scalar("SELECT movie_id FROM actors_movies WHERE actor_id = $1 ORDER BY movie_id")
        .bind(actor)
        .fetch_all(conn)
        .await
        .map_err(from_sqlx)
}

#[instrument(skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: ActorId) -> Result<Actor> {
    let row: Option<(String, i16, String, Vec<i64>)> = sqlx::query_as(GET)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .map_err(from_sqlx)?;
    let (name, age, gender, movies) = row.ok_or_else(|| Error::actor_not_found(id))?;
    actor(id.get(), (name, age, gender), movies)
}

fn age_column(age: Age) -> i16 {
    // Age is 0..=150, so it always fits.
    i16::try_from(age.get()).unwrap_or(i16::MAX)
}

#[instrument(skip_all, err(level = "debug"))]
pub(crate) async fn create(pool: &PgPool, new: NewActor) -> Result<Actor> {
    let movies = normalise(&new.movies);
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO actors (name, age, gender) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(new.name.as_str())
    .bind(age_column(new.age))
    .bind(new.gender.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(from_sqlx)?;
    if !movies.is_empty() {
        lock_movies(&mut tx, id, &movies).await?;
        add_movies(&mut tx, id, &movies).await?;
    }
    tx.commit().await.map_err(from_sqlx)?;
    Ok(Actor {
        id: ActorId(id),
        name: new.name,
        age: new.age,
        gender: new.gender,
        movies: movies.into_iter().map(MovieId).collect(),
    })
}

#[instrument(skip(pool, patch), err(level = "debug"))]
pub(crate) async fn update(pool: &PgPool, id: ActorId, patch: ActorPatch) -> Result<Actor> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    // The UPDATE locks the actor row first, whatever the patch holds.
    let row: Option<ActorRow> = sqlx::query_as(
        "UPDATE actors SET name = COALESCE($2, name),
                           age = COALESCE($3, age),
                           gender = COALESCE($4, gender)
         WHERE id = $1 RETURNING name, age, gender",
    )
    .bind(id.get())
    .bind(patch.name.as_ref().map(Name::as_str))
    .bind(patch.age.map(age_column))
    .bind(patch.gender.map(Gender::as_str))
    .fetch_optional(&mut *tx)
    .await
    .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| Error::actor_not_found(id))?;
    let movies = match patch.movies {
        Some(movies) => {
            let movies = normalise(&movies);
            lock_movies(&mut tx, id.get(), &movies).await?;
            replace_movies(&mut tx, id.get(), &movies).await?;
            movies
        }
        None => movies_of(&mut tx, id.get()).await?,
    };
    tx.commit().await.map_err(from_sqlx)?;
    actor(id.get(), row, movies)
}

#[instrument(skip(pool), err(level = "debug"))]
pub(crate) async fn delete(pool: &PgPool, id: ActorId) -> Result<Actor> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    let row: Option<ActorRow> =
        sqlx::query_as("SELECT name, age, gender FROM actors WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| Error::actor_not_found(id))?;
    let movies = movies_of(&mut tx, id.get()).await?;
    sqlx::query("DELETE FROM actors WHERE id = $1")
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
    tx.commit().await.map_err(from_sqlx)?;
    actor(id.get(), row, movies)
}
