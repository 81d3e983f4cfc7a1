//! Movie reads and writes. Every write takes its row locks in one order: movies before actors,
//! each kind in ascending id order. A movie write locks its movie first, then every actor
//! whose links it adds or removes: `FOR KEY SHARE`, which keeps the actor from being deleted
//! or changed by their own writes until it commits, and which other movie writes share (each
//! actor's new version is an entry without a version, which the log's numbering step gives,
//! `history::touch`): the order `actors.rs` keeps too.

use casting_core::audit::{DELETED_MOVIE_FIELDS, MOVIE_FIELDS};
use casting_core::query::fold;
use casting_core::{
    ActorId, AuditAction, Changes, Created, DeletedMovie, Edit, FieldValue, Idempotency, Movie,
    MovieId, MoviePatch, NewMovie, ReleaseDate, ResourceKind, Revision, StoreError,
    StoreResult as Result, Title,
};
use sqlx::{PgConnection, PgPool};
use tracing::instrument;

use crate::acquire::connection;
use crate::error::from_sqlx;
use crate::history;
use crate::links::{self, Side, all_found, normalise};
use crate::rows::{MovieDetailRow, MovieRecordRow, stored_version};
use crate::values::cast_of;
use crate::write::write;

const GET: &str = "
    SELECT m.title, m.release_date,
           m.version, m.created_at, m.created_by, m.updated_at, m.updated_by,
           ARRAY(SELECT actor_id FROM actors_movies WHERE movie_id = m.id ORDER BY actor_id)
               AS actors
    FROM movies AS m WHERE m.id = $1";

/// Holds the actors a movie write links (`wanted`) or unlinks (`also`, known to exist),
/// `FOR KEY SHARE` in ascending order, so none can be deleted or change their own fields
/// before the write commits (other movie writes naming them go on), and fails naming the
/// wanted ones that do not exist.
pub(crate) async fn lock_actors(
    conn: &mut PgConnection,
    wanted: &[i64],
    also: &[i64],
) -> Result<()> {
    if wanted.is_empty() && also.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM actors WHERE id = ANY($1) OR id = ANY($2) ORDER BY id FOR KEY SHARE",
    )
    .bind(wanted)
    .bind(also)
    .fetch_all(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    all_found(ResourceKind::Actor, wanted, &found)
}

/// Locks the movie (`FOR NO KEY UPDATE`, or `FOR UPDATE` to delete it) and checks the version
/// the edit expects.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    id: MovieId,
    edit: &Edit,
    delete: bool,
) -> Result<MovieRecordRow> {
    let sql = if delete {
        "SELECT title, release_date, version, created_at, created_by, updated_at, updated_by
         FROM movies WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT title, release_date, version, created_at, created_by, updated_at, updated_by
         FROM movies WHERE id = $1 FOR NO KEY UPDATE"
    };
    let row: Option<MovieRecordRow> = sqlx::query_as(sql)
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::movie_not_found(id))?;
    history::expect(ResourceKind::Movie, id.get(), row.revision.version, edit)?;
    Ok(row)
}

/// A new version of a locked movie, stamped by `edit`, with its audit entry.
pub(crate) async fn bump(
    conn: &mut PgConnection,
    id: MovieId,
    edit: &Edit,
    fields: &[&str],
    changes: &Changes,
) -> Result<MovieRecordRow> {
    let row: MovieRecordRow = sqlx::query_as(
        "UPDATE movies SET version = version + 1, updated_at = $2, updated_by = $3
         WHERE id = $1
         RETURNING title, release_date, version, created_at, created_by, updated_at, updated_by",
    )
    .bind(id.get())
    .bind(edit.at)
    .bind(&edit.by)
    .fetch_one(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let version = stored_version(row.revision.version)?;
    history::log(
        conn,
        edit,
        ResourceKind::Movie,
        id.get(),
        AuditAction::Update,
        fields,
        changes,
        version,
    )
    .await?;
    Ok(row)
}

#[instrument(level = "debug", skip(pool), err(level = "debug"))]
pub(crate) async fn get(pool: &PgPool, id: MovieId) -> Result<Movie> {
    let mut conn = connection(pool).await?;
    let row: Option<MovieDetailRow> = sqlx::query_as(GET)
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await
        .map_err(from_sqlx)?;
    let row = row.ok_or_else(|| StoreError::movie_not_found(id))?;
    row.movie.into_movie(id.get(), row.actors)
}

/// A movie, its cast and everything the create records, in one statement: find the cast's
/// actors, holding each `FOR KEY SHARE`, and only if every one was found insert the movie,
/// link the actors (billed in ascending id order), and append the audit entries (the movie's
/// first, with its values (`$8`), then the actors' by id, each keeping the movie that joined
/// their list, without a version: the numbering step gives each its actor's next version and
/// whole list, `log.rs`). When an actor is missing nothing is written and `id` is NULL;
/// `found` names those that exist.
///
/// `FOR KEY SHARE` is the lock the links' foreign key takes anyway: concurrent creates that
/// share actors share it, none waits for another, and the actor's own writes wait for it
/// (`docs/architecture.md`). It is taken by `named`, which `complete` reads whole before any
/// row is inserted, so the entries take their ids after every lock is held: an actor's own
/// write that held the actor first has the lower ids, as the log's order needs.
const CREATE: &str = "
    WITH named AS (
        SELECT id FROM actors WHERE id = ANY($3) ORDER BY id FOR KEY SHARE
    ), complete AS (
        SELECT (SELECT count(*) FROM named) = cardinality($3::bigint[]) AS ok
    ), movie AS (
        INSERT INTO movies (title, release_date, created_at, created_by, updated_at, updated_by,
                            title_folded)
        SELECT $1, $2, $4, $5, $4, $5, $7 FROM complete WHERE ok
        RETURNING id, version
    ), cast_links AS (
        INSERT INTO actors_movies (movie_id, actor_id, billing)
        SELECT movie.id, named.id, row_number() OVER (ORDER BY named.id) FROM movie, named
    ), logged AS (
        INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                               changes)
        SELECT $4, $5, entry.resource, entry.resource_id, entry.action, entry.fields,
               entry.version, entry.changes
        FROM (
            SELECT 0 AS rank, 'movie' AS resource, id AS resource_id, 'create' AS action,
                   $6::text[] AS fields, version, $8::jsonb AS changes
            FROM movie
            UNION ALL
            SELECT 1, 'actor', named.id, 'update', ARRAY['movies'], NULL,
                   jsonb_build_object('movies', jsonb_build_object(
                       'from', NULL, 'to', jsonb_build_object('moved', movie.id)))
            FROM named CROSS JOIN movie
        ) AS entry
        ORDER BY entry.rank, entry.resource_id
    )
    SELECT (SELECT id FROM movie) AS id, ARRAY(SELECT id FROM named ORDER BY id) AS found";

/// A movie without a cast and its audit entry: [`CREATE`] without the actors.
const CREATE_ALONE: &str = "
    WITH movie AS (
        INSERT INTO movies (title, release_date, created_at, created_by, updated_at, updated_by,
                            title_folded)
        VALUES ($1, $2, $3, $4, $3, $4, $6)
        RETURNING id, version
    ), logged AS (
        INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                               changes)
        SELECT $3, $4, 'movie', id, 'create', $5, version, $7::jsonb FROM movie
    )
    SELECT id FROM movie";

/// What [`CREATE`] returns: the new id, or NULL when an actor was missing (then nothing was
/// written), and the actor ids that were found.
#[derive(Debug, sqlx::FromRow)]
struct CreatedRow {
    id: Option<i64>,
    found: Vec<i64>,
}

/// Creates a movie. Without an idempotency key it is one statement ([`CREATE`]); with one, a
/// transaction that claims the key (or replays what it kept), runs the same statement, and
/// keeps the key.
#[instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn create(
    pool: &PgPool,
    new: NewMovie,
    edit: &Edit,
    key: Option<&Idempotency>,
) -> Result<Created<Movie>> {
    let Some(key) = key else {
        let mut conn = connection(pool).await?;
        return insert(&mut conn, new, edit).await.map(Created::new);
    };
    write(pool, async |conn| create_keyed(conn, new, edit, key).await).await
}

async fn create_keyed(
    conn: &mut PgConnection,
    new: NewMovie,
    edit: &Edit,
    key: &Idempotency,
) -> Result<Created<Movie>> {
    if let Some(kept) = history::claim(conn, ResourceKind::Movie, edit, key).await? {
        return Ok(Created {
            record: kept,
            replayed: true,
        });
    }
    let movie = insert(conn, new, edit).await?;
    history::keep(conn, ResourceKind::Movie, edit, key, &movie).await?;
    Ok(Created::new(movie))
}

/// Runs [`CREATE`]; the movie comes back as written (a new movie's columns are all known).
async fn insert(conn: &mut PgConnection, new: NewMovie, edit: &Edit) -> Result<Movie> {
    let actors = normalise(&new.actors);
    let changes = Changes::made([
        ("title", FieldValue::Text(new.title.as_str().to_owned())),
        ("release_date", FieldValue::Date(new.release_date)),
        ("actors", FieldValue::Ids(actors.clone())),
    ]);
    if actors.is_empty() {
        // The statement with the actors' locks and entries costs a fresh plan per call (its
        // generic plan looks dearer to PostgreSQL): a movie alone does without.
        let id: i64 = sqlx::query_scalar(CREATE_ALONE)
            .bind(new.title.as_str())
            .bind(new.release_date.date())
            .bind(edit.at)
            .bind(&edit.by)
            .bind(&MOVIE_FIELDS[..])
            .bind(fold(new.title.as_str()))
            .bind(history::changes_json(&changes)?)
            .fetch_one(conn)
            .await
            .map_err(from_sqlx)?;
        return Ok(Movie {
            id: MovieId(id),
            title: new.title,
            release_date: new.release_date,
            actors: Vec::new(),
            revision: Revision::created(edit),
        });
    }
    let created: CreatedRow = sqlx::query_as(CREATE)
        .bind(new.title.as_str())
        .bind(new.release_date.date())
        .bind(&actors)
        .bind(edit.at)
        .bind(&edit.by)
        .bind(&MOVIE_FIELDS[..])
        .bind(fold(new.title.as_str()))
        .bind(history::changes_json(&changes)?)
        .fetch_one(conn)
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
        revision: Revision::created(edit),
    })
}

/// Changes a movie in one transaction: lock it (checking its version) and read what the
/// change replaces, then one statement for the new version and its audit entry (its changes
/// built here, for every field, before and after); a new cast then locks the actors who join
/// or leave, relinks, and gives each a new version.
#[instrument(level = "debug", skip(pool, patch, edit), err(level = "debug"))]
pub(crate) async fn update(
    pool: &PgPool,
    id: MovieId,
    patch: MoviePatch,
    edit: &Edit,
) -> Result<Movie> {
    write(pool, async |conn| update_in(conn, id, patch, edit).await).await
}

async fn update_in(
    conn: &mut PgConnection,
    id: MovieId,
    patch: MoviePatch,
    edit: &Edit,
) -> Result<Movie> {
    // Lock the movie first (checking the expected version) and read what the change replaces,
    // its links included, so the entry's values before are the ones it replaces; the entry's
    // changes are built here, for every field.
    let before = lock(conn, id, edit, false)
        .await?
        .into_movie(id.get(), Vec::new())?;
    let old = links::linked(conn, Side::Movie, id.get()).await?;
    let old_ids: Vec<ActorId> = old.iter().copied().map(ActorId).collect();
    let changes = Changes::of_movie_patch(&patch, &before.title, before.release_date, &old_ids);
    let row: MovieRecordRow = sqlx::query_as(
        "WITH movie AS (
             UPDATE movies SET title = COALESCE($2, title),
                               title_folded = COALESCE($7, title_folded),
                               release_date = COALESCE($3, release_date),
                               version = version + 1, updated_at = $4, updated_by = $5
             WHERE id = $1
             RETURNING id, title, release_date, version, created_at, created_by, updated_at,
                       updated_by
         ), logged AS (
             INSERT INTO audit_log (at, subject, resource, resource_id, action, fields,
                                    version, changes)
             SELECT $4, $5, 'movie', id, 'update', $6, version, $8::jsonb FROM movie
         )
         SELECT title, release_date, version, created_at, created_by, updated_at, updated_by
         FROM movie",
    )
    .bind(id.get())
    .bind(patch.title.as_ref().map(Title::as_str))
    .bind(patch.release_date.map(ReleaseDate::date))
    .bind(edit.at)
    .bind(&edit.by)
    .bind(patch.fields())
    .bind(patch.title.as_ref().map(|title| fold(title.as_str())))
    .bind(history::changes_json(&changes)?)
    .fetch_one(&mut *conn)
    .await
    .map_err(from_sqlx)?;
    let actors = match patch.actors {
        Some(actors) => {
            let actors = normalise(&actors);
            lock_actors(conn, &actors, &old).await?;
            links::replace(conn, Side::Movie, id.get(), &actors).await?;
            let moved = history::moved(&old, &actors);
            history::touch(conn, Side::Movie, id.get(), &moved, edit).await?;
            actors
        }
        None => old,
    };
    row.into_movie(id.get(), actors)
}

/// Deletes a movie in one transaction: lock it and check its version, lock its actors, log the
/// delete, delete it (its links go with it), give each of its actors a new version.
#[instrument(level = "debug", skip(pool, edit), err(level = "debug"))]
pub(crate) async fn delete(pool: &PgPool, id: MovieId, edit: &Edit) -> Result<Movie> {
    write(pool, async |conn| delete_in(conn, id, edit).await).await
}

async fn delete_in(conn: &mut PgConnection, id: MovieId, edit: &Edit) -> Result<Movie> {
    let row = lock(conn, id, edit, true).await?;
    let actors = links::linked(conn, Side::Movie, id.get()).await?;
    lock_actors(conn, &[], &actors).await?;
    let movie = row.into_movie(id.get(), actors.clone())?;
    let kept = DeletedMovie {
        title: movie.title.clone(),
        release_date: movie.release_date,
        cast: cast_of(conn, id).await?,
    };
    history::record_delete(
        conn,
        edit,
        Side::Movie,
        id.get(),
        &DELETED_MOVIE_FIELDS,
        &Changes::gone(kept.values()),
        movie.revision.version.next(),
        &actors,
    )
    .await?;
    Ok(movie)
}
