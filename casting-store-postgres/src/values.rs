//! What the trail keeps of a record's links: a movie's cast and an actor's credits, with
//! characters and billing, read inside the write that logs them.

use casting_core::{
    ActorId, Billing, CastCredit, Character, MovieId, RoleCredit, StoreError, StoreResult as Result,
};
use sqlx::{FromRow, PgConnection};

use crate::error::{corrupt, from_sqlx};

/// One link with its credit, from either side (`other` is the other side's id).
#[derive(Debug, FromRow)]
struct CreditRow {
    other: i64,
    character: Option<String>,
    billing: i32,
}

/// Each row as a credit that `make` builds from the other side's id and the checked parts.
fn credits<T>(
    rows: Vec<CreditRow>,
    make: impl Fn(i64, Option<Character>, Billing) -> T,
) -> Result<Vec<T>> {
    rows.into_iter()
        .map(|row| {
            let (character, billing) = credit_parts(row.character, Some(row.billing))?;
            Ok(make(row.other, character, billing))
        })
        .collect()
}

/// A movie's cast, by billing then actor id.
pub(crate) async fn cast_of(conn: &mut PgConnection, movie: MovieId) -> Result<Vec<CastCredit>> {
    let rows: Vec<CreditRow> = sqlx::query_as(
        "SELECT actor_id AS other, character, billing FROM actors_movies
         WHERE movie_id = $1 ORDER BY billing, actor_id",
    )
    .bind(movie.get())
    .fetch_all(conn)
    .await
    .map_err(from_sqlx)?;
    credits(rows, |other, character, billing| CastCredit {
        actor: ActorId(other),
        character,
        billing,
    })
}

/// An actor's credits, by movie id.
pub(crate) async fn credits_of(conn: &mut PgConnection, actor: ActorId) -> Result<Vec<RoleCredit>> {
    let rows: Vec<CreditRow> = sqlx::query_as(
        "SELECT movie_id AS other, character, billing FROM actors_movies
         WHERE actor_id = $1 ORDER BY movie_id",
    )
    .bind(actor.get())
    .fetch_all(conn)
    .await
    .map_err(from_sqlx)?;
    credits(rows, |other, character, billing| RoleCredit {
        movie: MovieId(other),
        character,
        billing,
    })
}

/// A credit's character and billing as the columns keep them, checked against the domain.
pub(crate) fn credit_parts(
    character: Option<String>,
    billing: Option<i32>,
) -> Result<(Option<Character>, Billing)> {
    let character = character
        .map(|text| Character::parse(&text).map_err(corrupt))
        .transpose()?;
    let billing = billing
        .and_then(|b| Billing::assigned(i64::from(b)))
        .ok_or_else(|| StoreError::internal("a stored billing position is not positive"))?;
    Ok((character, billing))
}

/// Links `movie` to the actors of `cast` with their credits: one statement for any size.
pub(crate) async fn insert_cast(
    conn: &mut PgConnection,
    movie: MovieId,
    cast: &[CastCredit],
) -> Result<()> {
    let ids: Vec<i64> = cast.iter().map(|c| c.actor.get()).collect();
    let characters: Vec<Option<&str>> = cast
        .iter()
        .map(|c| c.character.as_ref().map(Character::as_str))
        .collect();
    let billings: Vec<i32> = cast.iter().map(|c| billing_column(c.billing)).collect();
    sqlx::query(
        "INSERT INTO actors_movies (movie_id, actor_id, character, billing)
         SELECT $1, credit.actor_id, credit.character, credit.billing
         FROM unnest($2::bigint[], $3::text[], $4::integer[])
             AS credit (actor_id, character, billing)",
    )
    .bind(movie.get())
    .bind(&ids)
    .bind(&characters)
    .bind(&billings)
    .execute(conn)
    .await
    .map_err(from_sqlx)?;
    Ok(())
}

/// A billing position as the column keeps it.
pub(crate) fn billing_column(billing: Billing) -> i32 {
    i32::try_from(billing.get()).unwrap_or(i32::MAX)
}

/// A record a restore found missing from the trail: never deleted, or its delete entry gone.
pub(crate) fn not_kept(kind: casting_core::ResourceKind, id: i64) -> StoreError {
    StoreError::NotFound { kind, id }
}
