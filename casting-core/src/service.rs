//! [`CastingService`]: the API an embedding program calls, one method per operation.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use tracing::instrument;

use crate::audit::log::{LOG_WAIT_MAX, LogPage, LogParams, LogQuery, LogStart};
use crate::audit::{AuditEntry, AuditListParams, AuditQuery};
use crate::credit::{ActorCredit, Cast, CastInput};
use crate::error::{Error, Result};
use crate::input::{ActorChanges, ActorInput, MovieChanges, MovieInput};
use crate::model::{
    Actor, ActorId, ActorSummary, Movie, MovieId, MovieSummary, Page, ResourceKind,
};
use crate::operation::Operation;
use crate::query::{ActorListParams, ActorQuery, MovieListParams, MovieQuery};
use crate::rbac::Principal;
use crate::revision::{Canonical, Created, Edit, Idempotency, IdempotencyKey, Restored, Version};
use crate::store::Store;

/// The casting API over any [`Store`].
///
/// Each method runs in a `debug` span that names the caller's subject (and the id, where there
/// is one); nothing at `info` or above carries a subject, search text or body.
///
/// Every method checks the caller's permission first, then validates the input, then asks the
/// store: a caller without the right learns nothing about what exists or what is valid. An
/// update of a missing record is `NotFound` even when its changes are also invalid.
///
/// Writes stamp the record with the caller's subject and the time, and take an optional
/// expected [`Version`]: when given, the write goes through only if the record still has it
/// (else [`Error::PreconditionFailed`], nothing changed). Creates may carry an
/// [`IdempotencyKey`]: a repeat of the same create within the key's lifetime (24 hours unless
/// [`with_idempotency_ttl`](Self::with_idempotency_ttl) says otherwise) answers the first
/// result instead of creating again.
///
/// ```
/// use std::sync::Arc;
/// use casting_core::{
///     CastingService, Error, MovieInput, Permission, Principal, ReleaseDate, Role,
/// };
/// use casting_store_memory::MemoryStore;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let service = CastingService::new(Arc::new(MemoryStore::new()));
///
/// let producer = Principal::with_role("auth0|producer", Role::ExecutiveProducer);
/// let movie = service
///     .create_movie(&producer, MovieInput {
///         title: "  The Long Take ".into(),
///         release_date: ReleaseDate::parse("08-02-2025")?,
///         actors: vec![],
///     })
///     .await?;
/// assert_eq!(movie.title.as_str(), "The Long Take");
///
/// let assistant = Principal::with_role("auth0|assistant", Role::CastingAssistant);
/// let refused = service.delete_movie(&assistant, movie.id, None).await;
/// assert!(matches!(
///     refused,
///     Err(Error::Forbidden { permission: Permission::DeleteMovies })
/// ));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct CastingService {
    store: Arc<dyn Store>,
    idempotency_ttl: Duration,
}

/// How long an idempotency key is kept when the service is not told otherwise.
pub const DEFAULT_IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest an idempotency key is kept: ten years.
const MAX_IDEMPOTENCY_TTL: Duration = Duration::from_secs(3650 * 24 * 60 * 60);

impl CastingService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            idempotency_ttl: DEFAULT_IDEMPOTENCY_TTL,
        }
    }

    /// The same service, keeping idempotency keys for `ttl` (at most ten years).
    #[must_use]
    pub fn with_idempotency_ttl(mut self, ttl: Duration) -> Self {
        self.idempotency_ttl = ttl.min(MAX_IDEMPOTENCY_TTL);
        self
    }

    /// How long idempotency keys are kept.
    pub fn idempotency_ttl(&self) -> Duration {
        self.idempotency_ttl
    }

    fn edit(who: &Principal, expected: Option<Version>) -> Edit {
        Edit::now(who.subject()).expecting(expected)
    }

    fn idempotency(
        &self,
        key: Option<&IdempotencyKey>,
        request: &impl Canonical,
        edit: &Edit,
    ) -> Option<Idempotency> {
        key.map(|key| Idempotency {
            key: key.clone(),
            request: request.canonical(),
            // At most ten years (`with_idempotency_ttl`), so it converts and adds.
            expires_at: edit.at
                + TimeDelta::from_std(self.idempotency_ttl).unwrap_or(TimeDelta::days(3650)),
        })
    }

    /// `Ok` when the store answers (readiness).
    #[instrument(level = "debug", skip(self))]
    pub async fn ready(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// One page of movies (`get:movies`), as a typed query asks.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// use casting_core::{CastingService, MovieFilter, MovieQuery, Principal, ReleaseDate, Role, Sort};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), casting_core::Error> {
    /// # let service = CastingService::new(Arc::new(casting_store_memory::MemoryStore::new()));
    /// let from = ReleaseDate::parse("2020-01-01")?;
    /// let query = MovieQuery::new(1, 20, Some("night"))?
    ///     .with_filter(MovieFilter::new(Some(from), None, vec![])?)
    ///     .with_sort(Sort::parse("-release_date")?);
    /// let who = Principal::with_role("auth0|assistant", Role::CastingAssistant);
    /// let page = service.list_movies(&who, &query).await?;
    /// assert_eq!(page.total, Some(0));
    /// # Ok(())
    /// # }
    /// ```
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn list_movies(
        &self,
        who: &Principal,
        query: &MovieQuery,
    ) -> Result<Page<MovieSummary>> {
        Operation::ListMovies.authorize(who)?;
        Ok(self.store.list_movies(query).await?)
    }

    /// One page of movies (`get:movies`), as a query string asks: the permission first, then
    /// every parameter checked (the HTTP layer's form of [`list_movies`](Self::list_movies)).
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn list_movies_from_params(
        &self,
        who: &Principal,
        params: &MovieListParams,
    ) -> Result<Page<MovieSummary>> {
        Operation::ListMovies.authorize(who)?;
        let query = MovieQuery::parse(params)?;
        Ok(self.store.list_movies(&query).await?)
    }

    /// One movie with its cast (`get:movie-details`).
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn movie(&self, who: &Principal, id: MovieId) -> Result<Movie> {
        Operation::GetMovie.authorize(who)?;
        Ok(self.store.get_movie(id).await?)
    }

    /// Creates a movie (`post:movies`).
    pub async fn create_movie(&self, who: &Principal, input: MovieInput) -> Result<Movie> {
        Ok(self.create_movie_with_key(who, input, None).await?.record)
    }

    /// Creates a movie (`post:movies`), once per idempotency key: a repeat of the same request
    /// answers the movie as first created, `replayed`.
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn create_movie_with_key(
        &self,
        who: &Principal,
        input: MovieInput,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created<Movie>> {
        Operation::CreateMovie.authorize(who)?;
        let movie = input.validate()?;
        let edit = Self::edit(who, None);
        let key = self.idempotency(key, &movie, &edit);
        Ok(self.store.create_movie(movie, &edit, key.as_ref()).await?)
    }

    /// Changes a movie (`patch:movie`), if it has the `expected` version.
    #[instrument(level = "debug", skip(self, who, changes), fields(subject = who.subject()))]
    pub async fn update_movie(
        &self,
        who: &Principal,
        id: MovieId,
        changes: MovieChanges,
        expected: Option<Version>,
    ) -> Result<Movie> {
        Operation::UpdateMovie.authorize(who)?;
        let patch = match changes.validate() {
            Ok(patch) => patch,
            Err(invalid @ Error::Invalid(_)) => {
                return Err(self.refusal(Record::Movie(id), expected, invalid).await);
            }
            Err(other) => return Err(other),
        };
        let edit = Self::edit(who, expected);
        Ok(self.store.update_movie(id, patch, &edit).await?)
    }

    /// Deletes a movie (`del:movies`), if it has the `expected` version; returns it as it was.
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn delete_movie(
        &self,
        who: &Principal,
        id: MovieId,
        expected: Option<Version>,
    ) -> Result<Movie> {
        Operation::DeleteMovie.authorize(who)?;
        let edit = Self::edit(who, expected);
        Ok(self.store.delete_movie(id, &edit).await?)
    }

    /// Brings back a deleted movie (`post:movies`) with its cast's credits of every actor who
    /// still exists; `left_out` names the actors deleted since.
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn restore_movie(&self, who: &Principal, id: MovieId) -> Result<Restored<Movie>> {
        Operation::RestoreMovie.authorize(who)?;
        let edit = Self::edit(who, None);
        Ok(self.store.restore_movie(id, &edit).await?)
    }

    /// A movie's cast with characters and billing, and the movie's version
    /// (`get:movie-details`).
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn cast(&self, who: &Principal, id: MovieId) -> Result<Cast> {
        Operation::GetCast.authorize(who)?;
        Ok(self.store.get_cast(id).await?)
    }

    /// Replaces a movie's whole cast (`patch:movie`), if the movie has the `expected` version;
    /// returns it as stored.
    #[instrument(level = "debug", skip(self, who, input), fields(subject = who.subject()))]
    pub async fn replace_cast(
        &self,
        who: &Principal,
        id: MovieId,
        input: CastInput,
        expected: Option<Version>,
    ) -> Result<Cast> {
        Operation::ReplaceCast.authorize(who)?;
        let cast = match input.validate() {
            Ok(cast) => cast,
            Err(invalid) => return Err(self.refusal(Record::Movie(id), expected, invalid).await),
        };
        let edit = Self::edit(who, expected);
        Ok(self.store.replace_cast(id, cast, &edit).await?)
    }

    /// One page of actors (`get:actors`), as a typed query asks.
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn list_actors(
        &self,
        who: &Principal,
        query: &ActorQuery,
    ) -> Result<Page<ActorSummary>> {
        Operation::ListActors.authorize(who)?;
        Ok(self.store.list_actors(query).await?)
    }

    /// One page of actors (`get:actors`), as a query string asks: the permission first, then
    /// every parameter checked (the HTTP layer's form of [`list_actors`](Self::list_actors)).
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn list_actors_from_params(
        &self,
        who: &Principal,
        params: &ActorListParams,
    ) -> Result<Page<ActorSummary>> {
        Operation::ListActors.authorize(who)?;
        let query = ActorQuery::parse(params)?;
        Ok(self.store.list_actors(&query).await?)
    }

    /// One actor with their movies (`get:actor-details`).
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn actor(&self, who: &Principal, id: ActorId) -> Result<Actor> {
        Operation::GetActor.authorize(who)?;
        Ok(self.store.get_actor(id).await?)
    }

    /// Creates an actor (`post:actors`).
    pub async fn create_actor(&self, who: &Principal, input: ActorInput) -> Result<Actor> {
        Ok(self.create_actor_with_key(who, input, None).await?.record)
    }

    /// Creates an actor (`post:actors`), once per idempotency key: a repeat of the same
    /// request answers the actor as first created, `replayed`.
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn create_actor_with_key(
        &self,
        who: &Principal,
        input: ActorInput,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created<Actor>> {
        Operation::CreateActor.authorize(who)?;
        let actor = input.validate()?;
        let edit = Self::edit(who, None);
        let key = self.idempotency(key, &actor, &edit);
        Ok(self.store.create_actor(actor, &edit, key.as_ref()).await?)
    }

    /// Changes an actor (`patch:actor`), if they have the `expected` version.
    #[instrument(level = "debug", skip(self, who, changes), fields(subject = who.subject()))]
    pub async fn update_actor(
        &self,
        who: &Principal,
        id: ActorId,
        changes: ActorChanges,
        expected: Option<Version>,
    ) -> Result<Actor> {
        Operation::UpdateActor.authorize(who)?;
        let patch = match changes.validate() {
            Ok(patch) => patch,
            Err(invalid @ Error::Invalid(_)) => {
                return Err(self.refusal(Record::Actor(id), expected, invalid).await);
            }
            Err(other) => return Err(other),
        };
        let edit = Self::edit(who, expected);
        Ok(self.store.update_actor(id, patch, &edit).await?)
    }

    /// An actor's credits, newest release first (`get:actor-details`).
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn credits(&self, who: &Principal, id: ActorId) -> Result<Vec<ActorCredit>> {
        Operation::GetCredits.authorize(who)?;
        Ok(self.store.get_credits(id).await?)
    }

    /// Deletes an actor (`del:actors`), if they have the `expected` version; returns them as
    /// they were.
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn delete_actor(
        &self,
        who: &Principal,
        id: ActorId,
        expected: Option<Version>,
    ) -> Result<Actor> {
        Operation::DeleteActor.authorize(who)?;
        let edit = Self::edit(who, expected);
        Ok(self.store.delete_actor(id, &edit).await?)
    }

    /// Brings back a deleted actor (`post:actors`) with their credits in every movie that
    /// still exists; `left_out` names the movies deleted since.
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn restore_actor(&self, who: &Principal, id: ActorId) -> Result<Restored<Actor>> {
        Operation::RestoreActor.authorize(who)?;
        let edit = Self::edit(who, None);
        Ok(self.store.restore_actor(id, &edit).await?)
    }

    /// One page of the trail of changes, newest first (`get:audit`).
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn audit(
        &self,
        who: &Principal,
        params: &AuditListParams,
    ) -> Result<Page<AuditEntry>> {
        Operation::ListAudit.authorize(who)?;
        let query = AuditQuery::parse(params)?;
        Ok(self.store.list_audit(&query).await?)
    }

    /// The trail as a log (`get:audit`): the entries after the start `params` names, oldest
    /// first. With a `wait`, when none follows the start, waits until one commits (on any
    /// instance sharing the store) or the time passes, then reads again.
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn changes(&self, who: &Principal, params: &LogParams) -> Result<LogPage> {
        Operation::ReadChanges.authorize(who)?;
        let (query, wait) = LogQuery::parse(params)?;
        self.follow(&query, wait).await
    }

    /// [`CastingService::changes`] for a caller already authorised (a stream that reads on).
    pub async fn follow(&self, query: &LogQuery, wait: Duration) -> Result<LogPage> {
        let page = self.store.read_log(query).await?;
        if !page.entries.is_empty() || wait.is_zero() {
            return Ok(page);
        }
        let deadline = std::time::Instant::now() + wait.min(LOG_WAIT_MAX);
        let query = query.from(LogStart::After(page.next.position()));
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(page);
            }
            self.store.wait_for_log(page.next, left).await?;
            let next = self.store.read_log(&query).await?;
            if !next.entries.is_empty() {
                return Ok(next);
            }
        }
    }
}

/// The record a write names.
#[derive(Debug, Clone, Copy)]
enum Record {
    Movie(MovieId),
    Actor(ActorId),
}

impl CastingService {
    /// What to answer a write whose input is `invalid`: a missing record, then a stale
    /// version, is reported before what is wrong with the input, so the answer does not
    /// depend on which check runs first.
    async fn refusal(&self, record: Record, expected: Option<Version>, invalid: Error) -> Error {
        let current = match record {
            Record::Movie(id) => self.store.get_movie(id).await.map(|m| m.revision.version),
            Record::Actor(id) => self.store.get_actor(id).await.map(|a| a.revision.version),
        };
        let (kind, id) = match record {
            Record::Movie(id) => (ResourceKind::Movie, id.get()),
            Record::Actor(id) => (ResourceKind::Actor, id.get()),
        };
        match (current, expected) {
            (Err(missing), _) => missing.into(),
            (Ok(current), Some(expected)) if expected != current => {
                Error::PreconditionFailed { kind, id, current }
            }
            (Ok(_), _) => invalid,
        }
    }
}
