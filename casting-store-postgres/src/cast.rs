//! Credits: a movie's cast with characters and billing, its replacement, and an actor's
//! credits. Each read is one statement, whatever the size of the cast; a replacement is one
//! transaction of a fixed number of statements.

use casting_core::audit::CAST_FIELD;
use casting_core::{
    ActorCredit, ActorId, Cast, CastCredit, CastMember, Changes, Edit, FieldValue, MovieId,
    NewCast, StoreError, StoreResult as Result,
};
use chrono::NaiveDate;
use sqlx::{FromRow, PgConnection, PgPool};
use tracing::instrument;

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history;
use crate::links::{self, Side};
use crate::movies::{self, lock_actors};
use crate::rows::{ActorRow, MovieRow, stored_version};
use crate::values::{cast_of, credit_parts, insert_cast};
use crate::write::write;

/// A movie's cast: one line per credit, or one line of NULLs for an empty cast; no line when
/// the movie does not exist.
const CAST: &str = "
    SELECT m.version, a.id, a.name, a.age, a.gender, am.character, am.billing
    FROM movies AS m
    LEFT JOIN actors_movies AS am ON am.movie_id = m.id
    LEFT JOIN actors AS a ON a.id = am.actor_id
    WHERE m.id = $1
    ORDER BY am.billing, a.id";

/// An actor's credits, newest release first, like [`CAST`].
const CREDITS: &str = "
    SELECT m.id, m.title, m.release_date, am.character, am.billing
    FROM actors AS a
    LEFT JOIN actors_movies AS am ON am.actor_id = a.id
    LEFT JOIN movies AS m ON m.id = am.movie_id
    WHERE a.id = $1
    ORDER BY m.release_date DESC, m.id DESC";

#[derive(Debug, FromRow)]
struct CastLine {
    version: i64,
    id: Option<i64>,
    name: Option<String>,
    age: Option<i16>,
    gender: Option<String>,
    character: Option<String>,
    billing: Option<i32>,
}

#[derive(Debug, FromRow)]
struct CreditLine {
    id: Option<i64>,
    title: Option<String>,
    release_date: Option<NaiveDate>,
    character: Option<String>,
    billing: Option<i32>,
}

async fn read_cast(conn: &mut PgConnection, id: MovieId) -> Result<Cast> {
    let lines: Vec<CastLine> = sqlx::query_as(CAST)
        .bind(id.get())
        .fetch_all(conn)
        .await
        .map_err(from_sqlx)?;
    let Some(first) = lines.first() else {
        return Err(StoreError::movie_not_found(id));
    };
    let version = stored_version(first.version)?;
    let mut cast = Vec::with_capacity(lines.len());
    for line in lines {
        let (Some(actor), Some(name), Some(age), Some(gender)) =
            (line.id, line.name, line.age, line.gender)
        else {
            continue;
        };
        let (character, billing) = credit_parts(line.character, line.billing)?;
        cast.push(CastMember {
            actor: ActorRow { name, age, gender }.into_summary(actor)?,
            character,
            billing,
        });
    }
    Ok(Cast {
        version,
        members: cast,
    })
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: MovieId) -> Result<Cast> {
    let mut conn = connection(pool).await?;
    read_cast(&mut conn, id).await
}

/// Replaces the cast in one transaction: lock the movie (checking its version), then the
/// actors who stay, join or leave (`FOR KEY SHARE`, ascending, as every movie write does),
/// delete the old links, insert the new ones from arrays (one statement for any size), give
/// the movie and each actor who joined or left a new version, read the cast back.
#[instrument(level = "debug", skip(pool, cast, edit), err(level = "debug"))]
pub(crate) async fn replace(
    pool: &PgPool,
    id: MovieId,
    cast: NewCast,
    edit: &Edit,
) -> Result<Cast> {
    write(pool, async |conn| replace_in(conn, id, cast, edit).await).await
}

async fn replace_in(
    conn: &mut PgConnection,
    id: MovieId,
    cast: NewCast,
    edit: &Edit,
) -> Result<Cast> {
    movies::lock(conn, id, edit, false).await?;
    let old = links::linked(conn, Side::Movie, id.get()).await?;
    let mut actors: Vec<i64> = cast.actors().into_iter().map(ActorId::get).collect();
    actors.sort_unstable();
    lock_actors(conn, &actors, &old).await?;
    let before = cast_of(conn, id).await?;
    sqlx::query("DELETE FROM actors_movies WHERE movie_id = $1")
        .bind(id.get())
        .execute(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let after: Vec<CastCredit> = cast
        .credits()
        .iter()
        .map(|c| CastCredit {
            actor: c.actor,
            character: c.character.clone(),
            billing: c.billing,
        })
        .collect();
    insert_cast(conn, id, &after).await?;
    let changes = Changes::new().with(
        CAST_FIELD,
        Some(FieldValue::cast(before)),
        Some(FieldValue::cast(after)),
    );
    movies::bump(conn, id, edit, &[CAST_FIELD], &changes).await?;
    let moved = history::moved(&old, &actors);
    history::touch(conn, Side::Movie, id.get(), &moved, edit).await?;
    read_cast(conn, id).await
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn credits(pool: &PgPool, id: ActorId) -> Result<Vec<ActorCredit>> {
    let mut conn = connection(pool).await?;
    let lines: Vec<CreditLine> = sqlx::query_as(CREDITS)
        .bind(id.get())
        .fetch_all(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    if lines.is_empty() {
        return Err(StoreError::actor_not_found(id));
    }
    let mut credits = Vec::with_capacity(lines.len());
    for line in lines {
        let (Some(movie), Some(title), Some(release_date)) =
            (line.id, line.title, line.release_date)
        else {
            continue;
        };
        let (character, billing) = credit_parts(line.character, line.billing)?;
        credits.push(ActorCredit {
            movie: MovieRow {
                title,
                release_date,
            }
            .into_summary(movie)?,
            character,
            billing,
        });
    }
    Ok(credits)
}
