//! Actor reads and writes. An actor write locks the actor row first, then every movie whose
//! links it adds or removes (`FOR NO KEY UPDATE`, ascending), so it serialises with writes of
//! those movies' casts: the lock order shared with `movies.rs`.

use casting_core::{
    Actor, ActorId, ActorPatch, Age, Gender, MovieId, Name, NewActor, ResourceKind, StoreError,
    StoreResult as Result,
};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::error::from_sqlx;
use crate::links::{self, Side, all_found, normalise};
use crate::rows::{ActorDetailRow, ActorRow};

const GET: &str = "
    SELECT a.name, a.age, a.gender,
           ARRAY(SELECT movie_id FROM actors_movies WHERE actor_id = a.id ORDER BY movie_id)
               AS movies
    FROM actors AS a WHERE a.id = $1";

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
    all_found(ResourceKind::Movie, wanted, &found)
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: ActorId) -> Result<Actor> {
    let row: Option<ActorDetailRow> = sqlx::query_as(GET)
        .bind(id.get())
        .fetch_optional(pool)
        .await
        .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::actor_not_found(id))?;
    row.actor.into_actor(id.get(), row.movies)
}

fn age_column(age: Age) -> i16 {
    // Age is 0..=150, so it always fits.
    i16::try_from(age.get()).unwrap_or(i16::MAX)
}

/// An actor without movies in one statement (one round trip).
const CREATE: &str = "INSERT INTO actors (name, age, gender) VALUES ($1, $2, $3) RETURNING id";

/// Creates an actor. Without movies it is one statement; with movies it is a transaction that
/// locks the movies first (`FOR NO KEY UPDATE`, ascending, as every actor write does), so the
/// billing position each link takes (after the rest of its movie's cast) is read after any
/// write to that cast has committed.
#[instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn create(pool: &PgPool, new: NewActor) -> Result<Actor> {
    let movies = normalise(&new.movies);
    let insert = sqlx::query_scalar(CREATE)
        .bind(new.name.as_str())
        .bind(age_column(new.age))
        .bind(new.gender.as_str());
    let id: i64 = if movies.is_empty() {
        insert.fetch_one(pool).await.map_err(from_sqlx)?
    } else {
        let mut tx = pool.begin().await.map_err(from_sqlx)?;
        let found: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM movies WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE",
        )
        .bind(&movies)
        .fetch_all(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        all_found(ResourceKind::Movie, &movies, &found)?;
        let id = insert.fetch_one(&mut *tx).await.map_err(from_sqlx)?;
        links::add(&mut tx, Side::Actor, id, &movies).await?;
        tx.commit().await.map_err(from_sqlx)?;
        id
    };
    Ok(Actor {
        id: ActorId(id),
        name: new.name,
        age: new.age,
        gender: new.gender,
        movies: movies.into_iter().map(MovieId).collect(),
    })
}

#[instrument(level = "debug", skip(pool, patch), err(level = "debug"))]
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
    let row = row.ok_or_else(|| StoreError::actor_not_found(id))?;
    let movies = match patch.movies {
        Some(movies) => {
            let movies = normalise(&movies);
            lock_movies(&mut tx, id.get(), &movies).await?;
            links::replace(&mut tx, Side::Actor, id.get(), &movies).await?;
            movies
        }
        None => links::linked(&mut tx, Side::Actor, id.get()).await?,
    };
    tx.commit().await.map_err(from_sqlx)?;
    row.into_actor(id.get(), movies)
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn delete(pool: &PgPool, id: ActorId) -> Result<Actor> {
    let mut tx = pool.begin().await.map_err(from_sqlx)?;
    let row: Option<ActorRow> =
        sqlx::query_as("SELECT name, age, gender FROM actors WHERE id = $1 FOR UPDATE")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::actor_not_found(id))?;
    let movies = links::linked(&mut tx, Side::Actor, id.get()).await?;
    sqlx::query("DELETE FROM actors WHERE id = $1")
        .bind(id.get())
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
    tx.commit().await.map_err(from_sqlx)?;
    row.into_actor(id.get(), movies)
}
