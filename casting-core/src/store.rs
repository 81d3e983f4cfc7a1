//! The storage trait every backend implements.

use std::sync::Arc;

use async_trait::async_trait;

use std::time::Duration;

use crate::audit::log::{Cursor, LogPage, LogQuery};
use crate::audit::{AuditEntry, AuditQuery};
use crate::credit::{ActorCredit, Cast, NewCast};
use crate::error::StoreError;
use crate::model::{
    Actor, ActorId, ActorPatch, ActorSummary, Movie, MovieId, MoviePatch, MovieSummary, NewActor,
    NewMovie, Page,
};
use crate::query::{ActorQuery, MovieQuery};
use crate::revision::{Created, Edit, Idempotency, Restored};

mod decorator;

pub use decorator::{Decorated, Decorator};

/// What [`Store`] methods return.
pub type StoreResult<T> = Result<T, StoreError>;

/// Where movies, actors and the cast between them are kept.
///
/// The trait is object-safe: the service and the HTTP layer hold an `Arc<dyn Store>`. Every
/// implementation must pass the conformance suite (`casting_core::conformance`, feature
/// `conformance`), which pins down the rules below.
///
/// - Lists follow the query's [`Sort`](crate::Sort) (the id always last, so the order is
///   total); text sorts by code point. `total` counts every match, whatever the page, when the
///   query counts. A store fetches up to [`ListQuery::limit`](crate::ListQuery::limit) records
///   from the page's start (after [`ListQuery::offset`](crate::ListQuery::offset) matches, or
///   strictly after [`ListQuery::after_values`](crate::ListQuery::after_values) in the sort's
///   order) and answers [`ListQuery::page_of`](crate::ListQuery::page_of) of them.
/// - `q` is a case-insensitive substring of the title (movies) or the name (actors); `%`, `_` and
///   `\` are plain characters. Filters combine with `q` and with each other; an id filter
///   naming nothing that exists keeps nothing.
/// - Credits: a cast replacement stores exactly the credits given. Setting a relation through
///   a list of ids keeps the character and billing of every link that stays and bills each new
///   link after the highest position of its movie (a movie's new actors in ascending id order),
///   without a character. A cast lists by billing, then actor id.
/// - Relation ids that name nothing fail the whole write with
///   [`StoreError::UnknownRelations`] naming them, and nothing changes.
/// - Every write is atomic. A relation list in a patch replaces the whole relation.
/// - Deleting either side removes its links and never the other side.
/// - Ids only grow and are never reused, even after a delete.
/// - A missing id is [`StoreError::NotFound`].
/// - Versions: a record is created at version 1 and every change of it adds one: a change of
///   its fields, or of its list of movies or actors, from either side (a movie whose cast
///   changes makes a new version of each actor who joins or leaves it, and of the movie).
///   A credit's character or billing is part of the movie only. Each new version sets
///   `updated_at` and `updated_by` from the [`Edit`]; a create sets `created_*` too.
/// - A write whose [`Edit::expected`] version is not the record's current one fails with
///   [`StoreError::PreconditionFailed`] naming the current version, and nothing changes. The
///   check is atomic with the write: of two writers expecting the same version, one wins.
/// - The audit trail: every new version appends one [`AuditEntry`] in the same transaction
///   (a delete too, with the version one past the last). Entries are numbered in the order
///   they take their place in the log, which agrees with commit order
///   ([`Store::read_log`]); [`Store::list_audit`] lists them newest first. For each record,
///   versions run 1, 2, 3… in log order and each entry's `from` is the previous entry's `to`.
///   Each entry keeps every named field's value before and after ([`Changes`](crate::Changes)): a create's from
///   nothing, a delete's (which names every field, and a movie's `cast` or an actor's
///   `credits`) to nothing, the other side of a link change its whole list before and after.
/// - Restores: a deleted record comes back from its newest delete entry, with its id, every
///   field, a version one past the delete's, and its links (credits included) to every
///   record that still exists; an actor whose billing position was taken since is billed
///   after the movie's current cast. The other side gets new versions, as for any link
///   change, and the restore appends one `restore` entry naming every field. A record that
///   exists is [`StoreError::AlreadyExists`]; an id without a kept delete entry is
///   [`StoreError::NotFound`]. Of concurrent restores of one id, exactly one wins.
/// - Idempotent creates: a create with an [`Idempotency`] key is recorded with the key, in the
///   same transaction, scoped to the [`Edit::by`] subject and the kind of record. A repeat of
///   the same request before the key expires returns the record as first created
///   (`replayed`), and creates nothing; the same key with another request is
///   [`StoreError::IdempotencyKeyReused`]; a repeat while the first is still being written may
///   be [`StoreError::RequestInProgress`]. Expired keys are forgotten.
/// - A store reports only what [`StoreError`] can say; permissions and request checks are the
///   service's business.
///
/// Nineteen methods. Nine write, each taking an [`Edit`]: `create_*`, `update_*`, `delete_*`
/// and `restore_*` of movies and of actors, and `replace_cast`. Ten read: `list_*` and `get_*`
/// (movies, actors, a cast, credits), `list_audit`, `read_log`, `wait_for_log` and `ping`.
///
/// To wrap a store (count, cache, log slow calls) without restating every method, implement
/// [`Decorator`] for the methods you change and wrap it in [`Decorated`].
#[async_trait]
pub trait Store: std::fmt::Debug + Send + Sync + 'static {
    /// One page of movies, without their casts.
    async fn list_movies(&self, query: &MovieQuery) -> StoreResult<Page<MovieSummary>>;
    /// One movie with its cast.
    async fn get_movie(&self, id: MovieId) -> StoreResult<Movie>;
    /// Creates a movie and links its cast (or replays the create an idempotency key names).
    async fn create_movie(
        &self,
        movie: NewMovie,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Movie>>;
    /// Changes the fields the patch holds; returns the movie as it now is.
    async fn update_movie(&self, id: MovieId, patch: MoviePatch, edit: &Edit)
    -> StoreResult<Movie>;
    /// Deletes a movie and its links; returns the movie as it was.
    async fn delete_movie(&self, id: MovieId, edit: &Edit) -> StoreResult<Movie>;
    /// Brings back a deleted movie from its delete entry, with its cast's credits of every
    /// actor who still exists.
    async fn restore_movie(&self, id: MovieId, edit: &Edit) -> StoreResult<Restored<Movie>>;
    /// A movie's cast, by billing then actor id, with the movie's version.
    async fn get_cast(&self, id: MovieId) -> StoreResult<Cast>;
    /// Replaces a movie's whole cast, credits included; returns it as stored.
    async fn replace_cast(&self, id: MovieId, cast: NewCast, edit: &Edit) -> StoreResult<Cast>;

    /// One page of actors, without their movies.
    async fn list_actors(&self, query: &ActorQuery) -> StoreResult<Page<ActorSummary>>;
    /// One actor with their movies.
    async fn get_actor(&self, id: ActorId) -> StoreResult<Actor>;
    /// Creates an actor and links their movies (or replays the create an idempotency key
    /// names).
    async fn create_actor(
        &self,
        actor: NewActor,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Actor>>;
    /// Changes the fields the patch holds; returns the actor as they now are.
    async fn update_actor(&self, id: ActorId, patch: ActorPatch, edit: &Edit)
    -> StoreResult<Actor>;
    /// Deletes an actor and their links; returns the actor as they were.
    async fn delete_actor(&self, id: ActorId, edit: &Edit) -> StoreResult<Actor>;
    /// Brings back a deleted actor from their delete entry, with their credits in every
    /// movie that still exists.
    async fn restore_actor(&self, id: ActorId, edit: &Edit) -> StoreResult<Restored<Actor>>;
    /// An actor's credits, newest release first (ties: higher movie id first).
    async fn get_credits(&self, id: ActorId) -> StoreResult<Vec<ActorCredit>>;

    /// One page of the audit trail, newest first.
    async fn list_audit(&self, query: &AuditQuery) -> StoreResult<Page<AuditEntry>>;

    /// The trail as a log: the entries after the query's start, oldest first, and the cursor
    /// to read on from. Entries that committed are readable here (and in
    /// [`Store::list_audit`]) once they have their place in the log, and never change after.
    /// A start before entries that were pruned is [`StoreError::CursorExpired`].
    async fn read_log(&self, query: &LogQuery) -> StoreResult<LogPage>;

    /// Returns when an entry after `after` may have become readable, or after `timeout`,
    /// whichever comes first. It may return early; callers read the log again to know.
    async fn wait_for_log(&self, after: Cursor, timeout: Duration) -> StoreResult<()>;

    /// `Ok` when the store can serve requests (the server's `/ready`).
    async fn ping(&self) -> StoreResult<()>;
}

macro_rules! forward_store {
    ($($wrapper:ident),*) => {$(
        #[async_trait]
        impl<T: Store + ?Sized> Store for $wrapper<T> {
            async fn list_movies(&self, query: &MovieQuery) -> StoreResult<Page<MovieSummary>> {
                (**self).list_movies(query).await
            }
            async fn get_movie(&self, id: MovieId) -> StoreResult<Movie> {
                (**self).get_movie(id).await
            }
            async fn create_movie(
                &self,
                movie: NewMovie,
                edit: &Edit,
                key: Option<&Idempotency>,
            ) -> StoreResult<Created<Movie>> {
                (**self).create_movie(movie, edit, key).await
            }
            async fn update_movie(
                &self,
                id: MovieId,
                patch: MoviePatch,
                edit: &Edit,
            ) -> StoreResult<Movie> {
                (**self).update_movie(id, patch, edit).await
            }
            async fn delete_movie(&self, id: MovieId, edit: &Edit) -> StoreResult<Movie> {
                (**self).delete_movie(id, edit).await
            }
            async fn restore_movie(&self, id: MovieId, edit: &Edit) -> StoreResult<Restored<Movie>> {
                (**self).restore_movie(id, edit).await
            }
            async fn get_cast(&self, id: MovieId) -> StoreResult<Cast> {
                (**self).get_cast(id).await
            }
            async fn replace_cast(
                &self,
                id: MovieId,
                cast: NewCast,
                edit: &Edit,
            ) -> StoreResult<Cast> {
                (**self).replace_cast(id, cast, edit).await
            }
            async fn list_actors(&self, query: &ActorQuery) -> StoreResult<Page<ActorSummary>> {
                (**self).list_actors(query).await
            }
            async fn get_actor(&self, id: ActorId) -> StoreResult<Actor> {
                (**self).get_actor(id).await
            }
            async fn create_actor(
                &self,
                actor: NewActor,
                edit: &Edit,
                key: Option<&Idempotency>,
            ) -> StoreResult<Created<Actor>> {
                (**self).create_actor(actor, edit, key).await
            }
            async fn update_actor(
                &self,
                id: ActorId,
                patch: ActorPatch,
                edit: &Edit,
            ) -> StoreResult<Actor> {
                (**self).update_actor(id, patch, edit).await
            }
            async fn delete_actor(&self, id: ActorId, edit: &Edit) -> StoreResult<Actor> {
                (**self).delete_actor(id, edit).await
            }
            async fn restore_actor(&self, id: ActorId, edit: &Edit) -> StoreResult<Restored<Actor>> {
                (**self).restore_actor(id, edit).await
            }
            async fn get_credits(&self, id: ActorId) -> StoreResult<Vec<ActorCredit>> {
                (**self).get_credits(id).await
            }
            async fn list_audit(&self, query: &AuditQuery) -> StoreResult<Page<AuditEntry>> {
                (**self).list_audit(query).await
            }
            async fn read_log(&self, query: &LogQuery) -> StoreResult<LogPage> {
                (**self).read_log(query).await
            }
            async fn wait_for_log(&self, after: Cursor, timeout: Duration) -> StoreResult<()> {
                (**self).wait_for_log(after, timeout).await
            }
            async fn ping(&self) -> StoreResult<()> {
                (**self).ping().await
            }
        }
    )*};
}

forward_store!(Arc, Box);
