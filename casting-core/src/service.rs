//! [`CastingService`]: the API an embedding program calls, one method per operation.

use std::sync::Arc;

use tracing::instrument;

use crate::credit::{ActorCredit, CastInput, CastMember};
use crate::error::{Error, Result};
use crate::input::{ActorChanges, ActorInput, MovieChanges, MovieInput};
use crate::model::{Actor, ActorId, ActorSummary, Movie, MovieId, MovieSummary, Page};
use crate::operation::Operation;
use crate::query::{ActorListParams, ActorQuery, MovieListParams, MovieQuery};
use crate::rbac::Principal;
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
/// let refused = service.delete_movie(&assistant, movie.id).await;
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
}

impl CastingService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// `Ok` when the store answers (readiness).
    #[instrument(level = "debug", skip(self))]
    pub async fn ready(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// Lists movies (`get:movies`).
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn list_movies(
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
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn create_movie(&self, who: &Principal, input: MovieInput) -> Result<Movie> {
        Operation::CreateMovie.authorize(who)?;
        let movie = input.validate()?;
        Ok(self.store.create_movie(movie).await?)
    }

    /// Changes a movie (`patch:movie`).
    #[instrument(level = "debug", skip(self, who, changes), fields(subject = who.subject()))]
    pub async fn update_movie(
        &self,
        who: &Principal,
        id: MovieId,
        changes: MovieChanges,
    ) -> Result<Movie> {
        Operation::UpdateMovie.authorize(who)?;
        let patch = match changes.validate() {
            Ok(patch) => patch,
            // A missing movie is reported before what is wrong with the changes.
            Err(invalid @ Error::Invalid(_)) => {
                self.store.get_movie(id).await?;
                return Err(invalid);
            }
            Err(other) => return Err(other),
        };
        Ok(self.store.update_movie(id, patch).await?)
    }

    /// Deletes a movie (`del:movies`); returns it as it was.
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn delete_movie(&self, who: &Principal, id: MovieId) -> Result<Movie> {
        Operation::DeleteMovie.authorize(who)?;
        Ok(self.store.delete_movie(id).await?)
    }

    /// A movie's cast with characters and billing (`get:movie-details`).
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn cast(&self, who: &Principal, id: MovieId) -> Result<Vec<CastMember>> {
        Operation::GetCast.authorize(who)?;
        Ok(self.store.get_cast(id).await?)
    }

    /// Replaces a movie's whole cast (`patch:movie`); returns it as stored.
    #[instrument(level = "debug", skip(self, who, input), fields(subject = who.subject()))]
    pub async fn replace_cast(
        &self,
        who: &Principal,
        id: MovieId,
        input: CastInput,
    ) -> Result<Vec<CastMember>> {
        Operation::ReplaceCast.authorize(who)?;
        let cast = match input.validate() {
            Ok(cast) => cast,
            // A missing movie is reported before what is wrong with the cast.
            Err(invalid) => {
                self.store.get_movie(id).await?;
                return Err(invalid);
            }
        };
        Ok(self.store.replace_cast(id, cast).await?)
    }

    /// Lists actors (`get:actors`).
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn list_actors(
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
    #[instrument(level = "debug", skip_all, fields(subject = who.subject()))]
    pub async fn create_actor(&self, who: &Principal, input: ActorInput) -> Result<Actor> {
        Operation::CreateActor.authorize(who)?;
        let actor = input.validate()?;
        Ok(self.store.create_actor(actor).await?)
    }

    /// Changes an actor (`patch:actor`).
    #[instrument(level = "debug", skip(self, who, changes), fields(subject = who.subject()))]
    pub async fn update_actor(
        &self,
        who: &Principal,
        id: ActorId,
        changes: ActorChanges,
    ) -> Result<Actor> {
        Operation::UpdateActor.authorize(who)?;
        let patch = match changes.validate() {
            Ok(patch) => patch,
            // A missing actor is reported before what is wrong with the changes.
            Err(invalid @ Error::Invalid(_)) => {
                self.store.get_actor(id).await?;
                return Err(invalid);
            }
            Err(other) => return Err(other),
        };
        Ok(self.store.update_actor(id, patch).await?)
    }

    /// An actor's credits, newest release first (`get:actor-details`).
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn credits(&self, who: &Principal, id: ActorId) -> Result<Vec<ActorCredit>> {
        Operation::GetCredits.authorize(who)?;
        Ok(self.store.get_credits(id).await?)
    }

    /// Deletes an actor (`del:actors`); returns them as they were.
    #[instrument(level = "debug", skip(self, who), fields(subject = who.subject()))]
    pub async fn delete_actor(&self, who: &Principal, id: ActorId) -> Result<Actor> {
        Operation::DeleteActor.authorize(who)?;
        Ok(self.store.delete_actor(id).await?)
    }
}
