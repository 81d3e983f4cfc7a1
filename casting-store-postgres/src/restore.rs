//! Restores: a deleted record comes back from its newest delete entry in the trail (the
//! `changes` of that entry hold every field and every credit), with its id, in one
//! transaction. The trail is the only copy: what retention prunes can no longer be restored.

use casting_core::audit::DELETED_ACTOR_FIELDS;
use casting_core::audit::DELETED_MOVIE_FIELDS;
use casting_core::query::fold;
use casting_core::{
    Actor, ActorId, AuditAction, CastCredit, Changes, DeletedActor, DeletedMovie, Edit, Movie,
    MovieId, ResourceKind, Restored, RoleCredit, StoreError, StoreResult as Result, Version,
};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::actors::{age_column, lock_movies};
use crate::error::from_sqlx;
use crate::history::{self, resource};
use crate::links::Side;
use crate::rows::stored_version;
use crate::values::{billing_column, insert_cast, not_kept};
use crate::write::write;

/// Restores of one record wait for each other (a transaction-level advisory lock), so of two
/// at once the second finds the record back and answers `AlreadyExists`.
async fn serialise(conn: &mut PgConnection, kind: ResourceKind, id: i64) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || '.' || $2, 23))")
        .bind(resource(kind))
        .bind(id.to_string())
        .execute(conn)
        .await
        .map_err(from_sqlx)?;
    Ok(())
}

/// The changes and version of the record's delete entry, when the record does not exist and
/// its newest entry kept is its delete.
async fn deleted_entry(
    conn: &mut PgConnection,
    kind: ResourceKind,
    id: i64,
) -> Result<(Changes, Version)> {
    let table_sql = match kind {
        ResourceKind::Movie => "SELECT EXISTS (SELECT 1 FROM movies WHERE id = $1)",
        ResourceKind::Actor => "SELECT EXISTS (SELECT 1 FROM actors WHERE id = $1)",
    };
    let exists: bool = sqlx::query_scalar(table_sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    if exists {
        return Err(StoreError::AlreadyExists { kind, id });
    }
    let newest: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT e.action, e.version, e.changes::text
         FROM audit_log AS e LEFT JOIN audit_positions AS p ON p.entry_id = e.id
         WHERE e.resource = $1 AND e.resource_id = $2
         ORDER BY p.position DESC NULLS FIRST, e.id DESC LIMIT 1",
    )
    .bind(resource(kind))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    match newest {
        Some((action, version, changes)) if action == AuditAction::Delete.as_str() => {
            let changes = serde_json::from_str(&changes).map_err(StoreError::internal)?;
            Ok((changes, stored_version(version)?.next()))
        }
        _ => Err(not_kept(kind, id)),
    }
}

#[instrument(level = "debug", skip(pool, edit), err(level = "debug"))]
pub(crate) async fn movie(pool: &PgPool, id: MovieId, edit: &Edit) -> Result<Restored<Movie>> {
    write(pool, async |conn| movie_in(conn, id, edit).await).await
}

/// Inserts the movie with its id, then holds the actors of its cast who still exist
/// (`FOR KEY SHARE`, ascending: movies before actors, as every write), links them with their
/// credits, logs the restore and gives each actor a new version.
async fn movie_in(conn: &mut PgConnection, id: MovieId, edit: &Edit) -> Result<Restored<Movie>> {
    serialise(conn, ResourceKind::Movie, id.get()).await?;
    let (changes, version) = deleted_entry(conn, ResourceKind::Movie, id.get()).await?;
    let deleted = DeletedMovie::from_deleted(&changes)
        .ok_or_else(|| not_kept(ResourceKind::Movie, id.get()))?;
    sqlx::query(
        "INSERT INTO movies (id, title, release_date, title_folded, version, created_at,
                             created_by, updated_at, updated_by)
         OVERRIDING SYSTEM VALUE
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7)",
    )
    .bind(id.get())
    .bind(deleted.title.as_str())
    .bind(deleted.release_date.date())
    .bind(fold(deleted.title.as_str()))
    .bind(version.get())
    .bind(edit.at)
    .bind(&edit.by)
    .execute(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let wanted: Vec<i64> = deleted.actors().into_iter().map(ActorId::get).collect();
    let found: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM actors WHERE id = ANY($1) ORDER BY id FOR KEY SHARE")
            .bind(&wanted)
            .fetch_all(&mut *conn)
            .await
            .map_err(from_sqlx)?;
    let (kept, gone): (Vec<CastCredit>, Vec<CastCredit>) = deleted
        .cast
        .iter()
        .cloned()
        .partition(|c| found.binary_search(&c.actor.get()).is_ok());
    insert_cast(conn, id, &kept).await?;
    let restored = DeletedMovie {
        cast: kept,
        ..deleted
    };
    let record = Movie {
        id,
        title: restored.title.clone(),
        release_date: restored.release_date,
        actors: restored.actors(),
        revision: revision(edit, version),
    };
    let joined: Vec<i64> = record.actors.iter().map(|a| a.get()).collect();
    let logged = Logged {
        side: Side::Movie,
        id: id.get(),
        fields: &DELETED_MOVIE_FIELDS,
        changes: Changes::made(restored.values()),
        version,
    };
    logged.write(conn, edit, &joined).await?;
    Ok(Restored {
        record,
        left_out: ascending(gone.iter().map(|c| c.actor.get())),
    })
}

#[instrument(level = "debug", skip(pool, edit), err(level = "debug"))]
pub(crate) async fn actor(pool: &PgPool, id: ActorId, edit: &Edit) -> Result<Restored<Actor>> {
    write(pool, async |conn| actor_in(conn, id, edit).await).await
}

/// Locks the movies of the actor's credits that still exist (ascending, before the actor, as
/// every write), inserts the actor with their id, links them with their credits (a billing
/// position taken since goes after the movie's current cast), logs the restore and gives each
/// movie a new version.
async fn actor_in(conn: &mut PgConnection, id: ActorId, edit: &Edit) -> Result<Restored<Actor>> {
    serialise(conn, ResourceKind::Actor, id.get()).await?;
    let (changes, version) = deleted_entry(conn, ResourceKind::Actor, id.get()).await?;
    let deleted = DeletedActor::from_deleted(&changes)
        .ok_or_else(|| not_kept(ResourceKind::Actor, id.get()))?;
    let wanted: Vec<i64> = deleted.movies().into_iter().map(MovieId::get).collect();
    lock_movies(conn, &[], &wanted).await?;
    sqlx::query(
        "INSERT INTO actors (id, name, age, gender, name_folded, version, created_at,
                             created_by, updated_at, updated_by)
         OVERRIDING SYSTEM VALUE
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8)",
    )
    .bind(id.get())
    .bind(deleted.name.as_str())
    .bind(age_column(deleted.age))
    .bind(deleted.gender.as_str())
    .bind(fold(deleted.name.as_str()))
    .bind(version.get())
    .bind(edit.at)
    .bind(&edit.by)
    .execute(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    // Only movies that exist (and are locked) are linked; each once, so the positions read
    // are the movie's current cast.
    let linked: Vec<(i64, i32)> = sqlx::query_as(
        "INSERT INTO actors_movies (movie_id, actor_id, character, billing)
         SELECT credit.movie_id, $1, credit.character,
                CASE WHEN EXISTS (
                         SELECT 1 FROM actors_movies
                         WHERE movie_id = credit.movie_id AND billing = credit.billing
                     )
                     THEN (SELECT coalesce(max(billing), 0) + 1 FROM actors_movies
                           WHERE movie_id = credit.movie_id)
                     ELSE credit.billing
                END
         FROM unnest($2::bigint[], $3::text[], $4::integer[])
             AS credit (movie_id, character, billing)
         WHERE EXISTS (SELECT 1 FROM movies WHERE id = credit.movie_id)
         RETURNING movie_id, billing",
    )
    .bind(id.get())
    .bind(
        deleted
            .credits
            .iter()
            .map(|c| c.movie.get())
            .collect::<Vec<_>>(),
    )
    .bind(
        deleted
            .credits
            .iter()
            .map(|c| c.character.as_ref().map(|ch| ch.as_str().to_owned()))
            .collect::<Vec<_>>(),
    )
    .bind(
        deleted
            .credits
            .iter()
            .map(|c| billing_column(c.billing))
            .collect::<Vec<_>>(),
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let mut kept = Vec::with_capacity(linked.len());
    let mut left_out = Vec::new();
    for credit in &deleted.credits {
        match linked
            .iter()
            .find(|(movie, _)| *movie == credit.movie.get())
        {
            Some((_, billing)) => kept.push(RoleCredit {
                billing: crate::values::credit_parts(None, Some(*billing))?.1,
                ..credit.clone()
            }),
            None => left_out.push(credit.movie.get()),
        }
    }
    let restored = DeletedActor {
        credits: kept,
        ..deleted
    };
    let record = Actor {
        id,
        name: restored.name.clone(),
        age: restored.age,
        gender: restored.gender,
        movies: restored.movies(),
        revision: revision(edit, version),
    };
    let joined: Vec<i64> = record.movies.iter().map(|m| m.get()).collect();
    let logged = Logged {
        side: Side::Actor,
        id: id.get(),
        fields: &DELETED_ACTOR_FIELDS,
        changes: Changes::made(restored.values()),
        version,
    };
    logged.write(conn, edit, &joined).await?;
    Ok(Restored {
        record,
        left_out: ascending(left_out),
    })
}

/// What a restore records besides the record: its entry, and the other side it relinked.
struct Logged<'a> {
    side: Side,
    id: i64,
    fields: &'a [&'a str],
    changes: Changes,
    version: Version,
}

impl Logged<'_> {
    /// Appends the `restore` entry and gives each record of the other side in `joined` a new
    /// version with its entry.
    async fn write(self, conn: &mut PgConnection, edit: &Edit, joined: &[i64]) -> Result<()> {
        let kind = match self.side {
            Side::Movie => ResourceKind::Movie,
            Side::Actor => ResourceKind::Actor,
        };
        let (id, fields, version) = (self.id, self.fields, self.version);
        let action = AuditAction::Restore;
        history::log(conn, edit, kind, id, action, fields, &self.changes, version).await?;
        history::touch(conn, self.side, id, joined, edit).await
    }
}

/// A restored record's revision: made again by `edit`, at `version`.
fn revision(edit: &Edit, version: Version) -> casting_core::Revision {
    casting_core::Revision {
        version,
        ..casting_core::Revision::created(edit)
    }
}

fn ascending(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids
}
