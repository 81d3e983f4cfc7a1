//! Actor reads and writes. Every write takes its row locks in one order: movies before actors,
//! each kind in ascending id order (as `movies.rs` does). An actor write whose links change
//! therefore locks the movies it joins or leaves (`FOR NO KEY UPDATE`: each gets a new version)
//! before the actor; when the actor's links moved between the first look and the lock, it
//! starts again.
//!
//! An actor's own write locks their row `FOR UPDATE`: it waits for the movie writes that hold
//! the actor (`FOR KEY SHARE`) to end and keeps new ones out; then the actor's version
//! (`actors_now`: the version the log's numbering step gave, plus the entries that committed
//! and wait for their position) is what it checks and what its own entry follows. Reads take
//! the actor from the same view.

use casting_core::audit::{ACTOR_FIELDS, DELETED_ACTOR_FIELDS};
use casting_core::query::fold;
use casting_core::{
    Actor, ActorId, ActorPatch, Age, Changes, Created, DeletedActor, Edit, FieldValue, Gender,
    Idempotency, Name, NewActor, ResourceKind, StoreError, StoreResult as Result,
};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history;
use crate::links::{self, Side, all_found, normalise};
use crate::rows::{ActorDetailRow, ActorRecordRow};
use crate::values::credits_of;
use crate::write::{Attempt, write, write_retrying};

const GET: &str = "
    SELECT a.name, a.age, a.gender,
           a.version, a.created_at, a.created_by, a.updated_at, a.updated_by,
           ARRAY(SELECT movie_id FROM actors_movies WHERE actor_id = a.id ORDER BY movie_id)
               AS movies
    FROM actors_now AS a WHERE a.id = $1";

/// Makes the writes that relink one actor wait for each other (a transaction-level advisory
/// lock, taken before any row lock), so only movie-side writes can move the actor's links
/// between the first look and the actor's row lock.
async fn serialise_relinks(conn: &mut PgConnection, actor: ActorId) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('casting.actor-links.' || $1, 0))")
        .bind(actor.get().to_string())
        .execute(conn)
        .await
        .map_err(from_sqlx)?;
    Ok(())
}

/// Whether every movie in `current` was locked (`seen` or `wanted`, both ascending).
fn all_locked(current: &[i64], seen: &[i64], wanted: &[i64]) -> bool {
    current
        .iter()
        .all(|m| seen.binary_search(m).is_ok() || wanted.binary_search(m).is_ok())
}

/// Locks the movies `wanted` and `also` (known to have existed), ascending, and fails naming
/// the wanted ones that do not exist.
pub(crate) async fn lock_movies(
    conn: &mut PgConnection,
    wanted: &[i64],
    also: &[i64],
) -> Result<()> {
    if wanted.is_empty() && also.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM movies WHERE id = ANY($1) OR id = ANY($2) ORDER BY id FOR NO KEY UPDATE",
    )
    .bind(wanted)
    .bind(also)
    .fetch_all(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    all_found(ResourceKind::Movie, wanted, &found)
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: ActorId) -> Result<Actor> {
    let mut conn = connection(pool).await?;
    let row: Option<ActorDetailRow> = sqlx::query_as(GET)
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::actor_not_found(id))?;
    row.actor.into_actor(id.get(), row.movies)
}

pub(crate) fn age_column(age: Age) -> i16 {
    // Age is 0..=150, so it always fits.
    i16::try_from(age.get()).unwrap_or(i16::MAX)
}

/// A new actor's id with their columns.
#[derive(Debug, sqlx::FromRow)]
struct ActorIdRow {
    id: i64,
    #[sqlx(flatten)]
    record: ActorRecordRow,
}

/// Creates an actor in one transaction: claim the idempotency key (or replay what it kept),
/// lock the movies, insert the actor with their audit entry, link them (each billed after the
/// rest of its movie's cast, read after any write to that cast has committed), give each movie
/// a new version, keep the key.
#[instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn create(
    pool: &PgPool,
    new: NewActor,
    edit: &Edit,
    key: Option<&Idempotency>,
) -> Result<Created<Actor>> {
    write(pool, async |conn| create_in(conn, new, edit, key).await).await
}

async fn create_in(
    conn: &mut PgConnection,
    new: NewActor,
    edit: &Edit,
    key: Option<&Idempotency>,
) -> Result<Created<Actor>> {
    if let Some(key) = key
        && let Some(kept) = history::claim(conn, ResourceKind::Actor, edit, key).await?
    {
        return Ok(Created {
            record: kept,
            replayed: true,
        });
    }
    let movies = normalise(&new.movies);
    lock_movies(conn, &movies, &[]).await?;
    let changes = Changes::made([
        ("name", FieldValue::Text(new.name.as_str().to_owned())),
        ("age", FieldValue::Number(new.age.get())),
        ("gender", FieldValue::Text(new.gender.as_str().to_owned())),
        ("movies", FieldValue::Ids(movies.clone())),
    ]);
    let created: ActorIdRow = sqlx::query_as(
        "WITH actor AS (
             INSERT INTO actors (name, age, gender, created_at, created_by, updated_at,
                                 updated_by, name_folded)
             VALUES ($1, $2, $3, $4, $5, $4, $5, $7)
             RETURNING id, name, age, gender, version, created_at, created_by, updated_at,
                       updated_by
         ), logged AS (
             INSERT INTO audit_log (at, subject, resource, resource_id, action, fields,
                                    version, changes)
             SELECT $4, $5, 'actor', id, 'create', $6, version, $8::jsonb FROM actor
         )
         SELECT * FROM actor",
    )
    .bind(new.name.as_str())
    .bind(age_column(new.age))
    .bind(new.gender.as_str())
    .bind(edit.at)
    .bind(&edit.by)
    .bind(&ACTOR_FIELDS[..])
    .bind(fold(new.name.as_str()))
    .bind(history::changes_json(&changes)?)
    .fetch_one(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    links::add(conn, Side::Actor, created.id, &movies).await?;
    history::touch(conn, Side::Actor, created.id, &movies, edit).await?;
    let actor = created.record.into_actor(created.id, movies)?;
    if let Some(key) = key {
        history::keep(conn, ResourceKind::Actor, edit, key, &actor).await?;
    }
    Ok(Created::new(actor))
}

/// Changes an actor in one transaction: with new movies, it first locks the movies the actor
/// joins or leaves; then it locks the actor (checking the version) and reads what the change
/// replaces, writes the new version with its audit entry (its changes built here, for every
/// field), and with new movies relinks and gives each movie a new version.
#[instrument(level = "debug", skip(pool, patch, edit), err(level = "debug"))]
pub(crate) async fn update(
    pool: &PgPool,
    id: ActorId,
    patch: ActorPatch,
    edit: &Edit,
) -> Result<Actor> {
    write_retrying(
        pool,
        "the actor's movies kept changing during the write",
        |conn| {
            let (patch, edit) = (patch.clone(), edit.clone());
            Box::pin(async move { update_in(conn, id, &patch, &edit).await })
        },
    )
    .await
}

async fn update_in(
    conn: &mut PgConnection,
    id: ActorId,
    patch: &ActorPatch,
    edit: &Edit,
) -> Result<Attempt<Actor>> {
    let wanted = patch.movies.as_deref().map(normalise);
    let seen = match &wanted {
        Some(wanted) => {
            // A missing actor, or one at another version, is reported before unknown movies
            // (the write's own check below is the one that counts).
            let version: Option<i64> =
                sqlx::query_scalar("SELECT version FROM actors_now WHERE id = $1")
                    .bind(id.get())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(from_sqlx)?;
            let version = version.ok_or_else(|| StoreError::actor_not_found(id))?;
            history::expect(ResourceKind::Actor, id.get(), version, edit)?;
            serialise_relinks(conn, id).await?;
            let seen = links::linked(conn, Side::Actor, id.get()).await?;
            lock_movies(conn, wanted, &seen).await?;
            Some(seen)
        }
        None => None,
    };
    // Every write that changes the actor's links locks the actor first: from here on they
    // stay as read.
    let before = lock(conn, id, edit).await?;
    let current = links::linked(conn, Side::Actor, id.get()).await?;
    if let (Some(wanted), Some(seen)) = (&wanted, &seen)
        && !all_locked(&current, seen, wanted)
    {
        return Ok(Attempt::Moved);
    }
    let old = before.into_actor(id.get(), current.clone())?;
    let changes = Changes::of_actor_patch(patch, &old.name, old.age, old.gender, &old.movies);
    let row: ActorRecordRow = sqlx::query_as(
        "WITH actor AS (
             UPDATE actors SET name = COALESCE($2, name),
                               name_folded = COALESCE($8, name_folded),
                               age = COALESCE($3, age),
                               gender = COALESCE($4, gender),
                               version = $10, updated_at = $5, updated_by = $6
             WHERE id = $1
             RETURNING id, name, age, gender, version, created_at, created_by, updated_at,
                       updated_by
         ), logged AS (
             INSERT INTO audit_log (at, subject, resource, resource_id, action, fields,
                                    version, changes)
             SELECT $5, $6, 'actor', id, 'update', $7, version, $9::jsonb FROM actor
         )
         SELECT name, age, gender, version, created_at, created_by, updated_at, updated_by
         FROM actor",
    )
    .bind(id.get())
    .bind(patch.name.as_ref().map(Name::as_str))
    .bind(patch.age.map(age_column))
    .bind(patch.gender.map(Gender::as_str))
    .bind(edit.at)
    .bind(&edit.by)
    .bind(patch.fields())
    .bind(patch.name.as_ref().map(|name| fold(name.as_str())))
    .bind(history::changes_json(&changes)?)
    .bind(old.revision.version.next().get())
    .fetch_one(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let movies = match wanted {
        Some(wanted) => {
            links::replace(conn, Side::Actor, id.get(), &wanted).await?;
            let moved = history::moved(&current, &wanted);
            history::touch(conn, Side::Actor, id.get(), &moved, edit).await?;
            wanted
        }
        None => current,
    };
    row.into_actor(id.get(), movies).map(Attempt::Done)
}

/// Locks the actor `FOR UPDATE` ([`hold`]), then checks the version the edit expects; gives
/// their columns as reads answer them (`actors_now`).
async fn lock(conn: &mut PgConnection, id: ActorId, edit: &Edit) -> Result<ActorRecordRow> {
    if !hold(conn, id).await? {
        return Err(StoreError::actor_not_found(id));
    }
    // A statement after the lock: it sees every entry of the writes the lock waited for.
    let row: ActorRecordRow = sqlx::query_as(
        "SELECT name, age, gender, version, created_at, created_by, updated_at, updated_by
         FROM actors_now WHERE id = $1",
    )
    .bind(id.get())
    .fetch_one(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    history::expect(ResourceKind::Actor, id.get(), row.revision.version, edit)?;
    Ok(row)
}

/// Locks the actor `FOR UPDATE`: waits for the movie writes that hold them (`FOR KEY SHARE`)
/// to end, and new ones wait for this transaction. `false` when the actor does not exist.
async fn hold(conn: &mut PgConnection, id: ActorId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM actors WHERE id = $1 FOR UPDATE")
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    Ok(found.is_some())
}

/// Deletes an actor in one transaction: lock their movies, then the actor (checking the
/// version), log the delete, delete them (their links go with them), give each of their movies
/// a new version.
#[instrument(level = "debug", skip(pool, edit), err(level = "debug"))]
pub(crate) async fn delete(pool: &PgPool, id: ActorId, edit: &Edit) -> Result<Actor> {
    write_retrying(
        pool,
        "the actor's movies kept changing during the delete",
        |conn| {
            let edit = edit.clone();
            Box::pin(async move { delete_in(conn, id, &edit).await })
        },
    )
    .await
}

async fn delete_in(conn: &mut PgConnection, id: ActorId, edit: &Edit) -> Result<Attempt<Actor>> {
    serialise_relinks(conn, id).await?;
    let seen = links::linked(conn, Side::Actor, id.get()).await?;
    lock_movies(conn, &[], &seen).await?;
    let row = lock(conn, id, edit).await?;
    let movies = links::linked(conn, Side::Actor, id.get()).await?;
    if !all_locked(&movies, &seen, &[]) {
        return Ok(Attempt::Moved);
    }
    let actor = row.into_actor(id.get(), movies.clone())?;
    let kept = DeletedActor {
        name: actor.name.clone(),
        age: actor.age,
        gender: actor.gender,
        credits: credits_of(conn, id).await?,
    };
    history::record_delete(
        conn,
        edit,
        Side::Actor,
        id.get(),
        &DELETED_ACTOR_FIELDS,
        &Changes::gone(kept.values()),
        actor.revision.version.next(),
        &movies,
    )
    .await?;
    Ok(Attempt::Done(actor))
}
