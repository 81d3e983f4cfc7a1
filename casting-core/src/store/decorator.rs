//! Store decorators: wrap any [`Store`] and change only the calls you care about.

use std::sync::Arc;

use async_trait::async_trait;

use super::{Store, StoreResult};
use std::time::Duration;

use crate::audit::log::{Cursor, LogPage, LogQuery};
use crate::audit::{AuditEntry, AuditQuery};
use crate::credit::{ActorCredit, Cast, NewCast};
use crate::model::{
    Actor, ActorId, ActorPatch, ActorSummary, Movie, MovieId, MoviePatch, MovieSummary, NewActor,
    NewMovie, Page,
};
use crate::query::{ActorQuery, MovieQuery};
use crate::revision::{Created, Edit, Idempotency, Restored};

/// What a store decorator does around the inner store's calls: every method has the
/// [`Store`] method's signature plus the inner store, and by default just calls it.
///
/// Implement the methods you want to change and wrap the decorator with [`Decorated`], which
/// is a [`Store`]. Counting the movie reads of any store takes this:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// use async_trait::async_trait;
/// use casting_core::store::{Decorated, Decorator};
/// use casting_core::{Movie, MovieId, Store, StoreResult};
///
/// #[derive(Debug, Default)]
/// struct CountReads(AtomicU64);
///
/// #[async_trait]
/// impl Decorator for CountReads {
///     async fn get_movie(&self, inner: &dyn Store, id: MovieId) -> StoreResult<Movie> {
///         self.0.fetch_add(1, Ordering::Relaxed);
///         inner.get_movie(id).await
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let store = Decorated::new(
///     Arc::new(casting_store_memory::MemoryStore::new()),
///     CountReads::default(),
/// );
/// let _ = store.get_movie(MovieId(1)).await; // not found, but counted
/// assert_eq!(store.decorator().0.load(Ordering::Relaxed), 1);
/// # }
/// ```
///
/// A decorator must keep the [`Store`] contract (the conformance suite runs against a
/// decorated store as against any other): a cache, for instance, must drop what a write
/// changes, on both sides of a cast.
#[async_trait]
#[allow(unused_variables)]
pub trait Decorator: std::fmt::Debug + Send + Sync + 'static {
    /// [`Store::list_movies`].
    async fn list_movies(
        &self,
        inner: &dyn Store,
        query: &MovieQuery,
    ) -> StoreResult<Page<MovieSummary>> {
        inner.list_movies(query).await
    }
    /// [`Store::get_movie`].
    async fn get_movie(&self, inner: &dyn Store, id: MovieId) -> StoreResult<Movie> {
        inner.get_movie(id).await
    }
    /// [`Store::create_movie`].
    async fn create_movie(
        &self,
        inner: &dyn Store,
        movie: NewMovie,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Movie>> {
        inner.create_movie(movie, edit, key).await
    }
    /// [`Store::update_movie`].
    async fn update_movie(
        &self,
        inner: &dyn Store,
        id: MovieId,
        patch: MoviePatch,
        edit: &Edit,
    ) -> StoreResult<Movie> {
        inner.update_movie(id, patch, edit).await
    }
    /// [`Store::delete_movie`].
    async fn delete_movie(
        &self,
        inner: &dyn Store,
        id: MovieId,
        edit: &Edit,
    ) -> StoreResult<Movie> {
        inner.delete_movie(id, edit).await
    }
    /// [`Store::restore_movie`].
    async fn restore_movie(
        &self,
        inner: &dyn Store,
        id: MovieId,
        edit: &Edit,
    ) -> StoreResult<Restored<Movie>> {
        inner.restore_movie(id, edit).await
    }
    /// [`Store::get_cast`].
    async fn get_cast(&self, inner: &dyn Store, id: MovieId) -> StoreResult<Cast> {
        inner.get_cast(id).await
    }
    /// [`Store::replace_cast`].
    async fn replace_cast(
        &self,
        inner: &dyn Store,
        id: MovieId,
        cast: NewCast,
        edit: &Edit,
    ) -> StoreResult<Cast> {
        inner.replace_cast(id, cast, edit).await
    }
    /// [`Store::list_actors`].
    async fn list_actors(
        &self,
        inner: &dyn Store,
        query: &ActorQuery,
    ) -> StoreResult<Page<ActorSummary>> {
        inner.list_actors(query).await
    }
    /// [`Store::get_actor`].
    async fn get_actor(&self, inner: &dyn Store, id: ActorId) -> StoreResult<Actor> {
        inner.get_actor(id).await
    }
    /// [`Store::create_actor`].
    async fn create_actor(
        &self,
        inner: &dyn Store,
        actor: NewActor,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Actor>> {
        inner.create_actor(actor, edit, key).await
    }
    /// [`Store::update_actor`].
    async fn update_actor(
        &self,
        inner: &dyn Store,
        id: ActorId,
        patch: ActorPatch,
        edit: &Edit,
    ) -> StoreResult<Actor> {
        inner.update_actor(id, patch, edit).await
    }
    /// [`Store::delete_actor`].
    async fn delete_actor(
        &self,
        inner: &dyn Store,
        id: ActorId,
        edit: &Edit,
    ) -> StoreResult<Actor> {
        inner.delete_actor(id, edit).await
    }
    /// [`Store::restore_actor`].
    async fn restore_actor(
        &self,
        inner: &dyn Store,
        id: ActorId,
        edit: &Edit,
    ) -> StoreResult<Restored<Actor>> {
        inner.restore_actor(id, edit).await
    }
    /// [`Store::get_credits`].
    async fn get_credits(&self, inner: &dyn Store, id: ActorId) -> StoreResult<Vec<ActorCredit>> {
        inner.get_credits(id).await
    }
    /// [`Store::list_audit`].
    async fn list_audit(
        &self,
        inner: &dyn Store,
        query: &AuditQuery,
    ) -> StoreResult<Page<AuditEntry>> {
        inner.list_audit(query).await
    }
    /// [`Store::read_log`].
    async fn read_log(&self, inner: &dyn Store, query: &LogQuery) -> StoreResult<LogPage> {
        inner.read_log(query).await
    }
    /// [`Store::wait_for_log`].
    async fn wait_for_log(
        &self,
        inner: &dyn Store,
        after: Cursor,
        timeout: Duration,
    ) -> StoreResult<()> {
        inner.wait_for_log(after, timeout).await
    }
    /// [`Store::ping`].
    async fn ping(&self, inner: &dyn Store) -> StoreResult<()> {
        inner.ping().await
    }
}

/// A [`Store`] that sends every call through a [`Decorator`] to an inner store.
#[derive(Debug)]
pub struct Decorated<D> {
    inner: Arc<dyn Store>,
    decorator: D,
}

impl<D: Decorator> Decorated<D> {
    /// `inner`, seen through `decorator`.
    pub fn new(inner: Arc<dyn Store>, decorator: D) -> Self {
        Self { inner, decorator }
    }

    /// The decorator (to read what it gathered).
    pub fn decorator(&self) -> &D {
        &self.decorator
    }

    /// The store it wraps.
    pub fn inner(&self) -> &Arc<dyn Store> {
        &self.inner
    }
}

#[async_trait]
impl<D: Decorator> Store for Decorated<D> {
    async fn list_movies(&self, query: &MovieQuery) -> StoreResult<Page<MovieSummary>> {
        self.decorator.list_movies(&*self.inner, query).await
    }
    async fn get_movie(&self, id: MovieId) -> StoreResult<Movie> {
        self.decorator.get_movie(&*self.inner, id).await
    }
    async fn create_movie(
        &self,
        movie: NewMovie,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Movie>> {
        self.decorator
            .create_movie(&*self.inner, movie, edit, key)
            .await
    }
    async fn update_movie(
        &self,
        id: MovieId,
        patch: MoviePatch,
        edit: &Edit,
    ) -> StoreResult<Movie> {
        self.decorator
            .update_movie(&*self.inner, id, patch, edit)
            .await
    }
    async fn delete_movie(&self, id: MovieId, edit: &Edit) -> StoreResult<Movie> {
        self.decorator.delete_movie(&*self.inner, id, edit).await
    }
    async fn restore_movie(&self, id: MovieId, edit: &Edit) -> StoreResult<Restored<Movie>> {
        self.decorator.restore_movie(&*self.inner, id, edit).await
    }
    async fn get_cast(&self, id: MovieId) -> StoreResult<Cast> {
        self.decorator.get_cast(&*self.inner, id).await
    }
    async fn replace_cast(&self, id: MovieId, cast: NewCast, edit: &Edit) -> StoreResult<Cast> {
        self.decorator
            .replace_cast(&*self.inner, id, cast, edit)
            .await
    }
    async fn list_actors(&self, query: &ActorQuery) -> StoreResult<Page<ActorSummary>> {
        self.decorator.list_actors(&*self.inner, query).await
    }
    async fn get_actor(&self, id: ActorId) -> StoreResult<Actor> {
        self.decorator.get_actor(&*self.inner, id).await
    }
    async fn create_actor(
        &self,
        actor: NewActor,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Actor>> {
        self.decorator
            .create_actor(&*self.inner, actor, edit, key)
            .await
    }
    async fn update_actor(
        &self,
        id: ActorId,
        patch: ActorPatch,
        edit: &Edit,
    ) -> StoreResult<Actor> {
        self.decorator
            .update_actor(&*self.inner, id, patch, edit)
            .await
    }
    async fn delete_actor(&self, id: ActorId, edit: &Edit) -> StoreResult<Actor> {
        self.decorator.delete_actor(&*self.inner, id, edit).await
    }
    async fn restore_actor(&self, id: ActorId, edit: &Edit) -> StoreResult<Restored<Actor>> {
        self.decorator.restore_actor(&*self.inner, id, edit).await
    }
    async fn get_credits(&self, id: ActorId) -> StoreResult<Vec<ActorCredit>> {
        self.decorator.get_credits(&*self.inner, id).await
    }
    async fn list_audit(&self, query: &AuditQuery) -> StoreResult<Page<AuditEntry>> {
        self.decorator.list_audit(&*self.inner, query).await
    }
    async fn read_log(&self, query: &LogQuery) -> StoreResult<LogPage> {
        self.decorator.read_log(&*self.inner, query).await
    }
    async fn wait_for_log(&self, after: Cursor, timeout: Duration) -> StoreResult<()> {
        self.decorator
            .wait_for_log(&*self.inner, after, timeout)
            .await
    }
    async fn ping(&self) -> StoreResult<()> {
        self.decorator.ping(&*self.inner).await
    }
}
