//! What an embedder of `casting` writes, as one small crate: the casting API inside a host
//! application of its own.
//!
//! - [`ApiKeys`]: a [`TokenVerifier`] of static API keys instead of Auth0 tokens.
//! - [`Metered`]: a store decorator that counts reads and writes, written with
//!   [`Decorator`]: only the methods it changes.
//! - [`recent_movies`]: a typed list query through [`CastingService`].
//! - [`host`]: the API nested under `/casting` (its spec at `/casting/openapi.json`, Swagger UI
//!   at `/casting/docs`), beside the host's own `/stats`, which authenticates with the API's
//!   verifier and answers errors in the API's shape.
//!
//! Its tests run the store conformance suite against the decorator on the memory store and on
//! PostgreSQL, and the host over HTTP on a loopback port.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use casting_core::{
    AuthError, CastingService, Created, Decorated, Decorator, Edit, Error, Idempotency, Movie,
    MovieFilter, MovieId, MovieQuery, MovieSummary, NewMovie, Page, Permission, Principal,
    ReleaseDate, Role, Sort, Store, StoreResult, TokenVerifier,
};
use casting_http::{ApiError, Authenticated, BearerScheme};
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt, Route, get, handler};
use serde_json::{Value, json};

/// Static API keys, each standing for a caller with one role.
///
/// The keys live in a `HashMap` with its randomly keyed hasher, so how long a lookup takes says
/// nothing useful about the keys it holds. Keys are secrets: `Debug` shows only how many there are.
pub struct ApiKeys {
    keys: HashMap<String, Principal>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeys")
            .field("keys", &self.keys.len())
            .finish()
    }
}

impl ApiKeys {
    /// Keys and the (subject, role) each stands for.
    pub fn new<'a>(keys: impl IntoIterator<Item = (&'a str, &'a str, Role)>) -> Self {
        Self {
            keys: keys
                .into_iter()
                .map(|(key, subject, role)| (key.to_owned(), Principal::with_role(subject, role)))
                .collect(),
        }
    }
}

#[async_trait]
impl TokenVerifier for ApiKeys {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        self.keys.get(token).cloned().ok_or(AuthError::Unrecognized)
    }

    fn known_good(&self, token: &str) -> Option<Principal> {
        self.keys.get(token).cloned()
    }
}

/// How [`ApiKeys`] credentials are described in the API's document.
pub fn api_key_scheme() -> BearerScheme {
    BearerScheme::new(
        "An API key issued by the host's administrators, sent as `Authorization: Bearer <key>`. \
         Each key stands for one role.",
    )
}

/// Counts of what a [`Metered`] store was asked.
#[derive(Debug, Default)]
pub struct Counts {
    /// Movie reads: lists and single movies.
    pub movie_reads: AtomicU64,
    /// Movie creates (replays included).
    pub movie_creates: AtomicU64,
}

/// A store decorator that counts movie reads and creates; every other call goes straight
/// to the inner store (the defaults of [`Decorator`]).
#[derive(Debug, Default)]
pub struct Metered(pub Arc<Counts>);

#[async_trait]
impl Decorator for Metered {
    async fn list_movies(
        &self,
        inner: &dyn Store,
        query: &MovieQuery,
    ) -> StoreResult<Page<MovieSummary>> {
        self.0.movie_reads.fetch_add(1, Ordering::Relaxed);
        inner.list_movies(query).await
    }

    async fn get_movie(&self, inner: &dyn Store, id: MovieId) -> StoreResult<Movie> {
        self.0.movie_reads.fetch_add(1, Ordering::Relaxed);
        inner.get_movie(id).await
    }

    async fn create_movie(
        &self,
        inner: &dyn Store,
        movie: NewMovie,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> StoreResult<Created<Movie>> {
        self.0.movie_creates.fetch_add(1, Ordering::Relaxed);
        inner.create_movie(movie, edit, key).await
    }
}

/// `store` seen through [`Metered`], with the counts it keeps.
pub fn metered(store: Arc<dyn Store>) -> (Arc<Decorated<Metered>>, Arc<Counts>) {
    let counts = Arc::new(Counts::default());
    let store = Decorated::new(store, Metered(Arc::clone(&counts)));
    (Arc::new(store), counts)
}

/// Movies released on or after `since`, newest first, 20 a page: a typed query, no strings.
pub async fn recent_movies(
    service: &CastingService,
    who: &Principal,
    since: ReleaseDate,
) -> Result<Page<MovieSummary>, Error> {
    let query = MovieQuery::new(1, 20, None)?
        .with_filter(MovieFilter::new(Some(since), None, [])?)
        .with_sort(Sort::parse("-release_date")?);
    service.list_movies(who, &query).await
}

/// `GET /stats`: the host's own endpoint, for callers who may read the audit trail.
#[handler]
fn stats(caller: Authenticated, counts: Data<&Arc<Counts>>) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::GetAudit)?;
    Ok(Json(json!({
        "movie_reads": counts.movie_reads.load(Ordering::Relaxed),
        "movie_creates": counts.movie_creates.load(Ordering::Relaxed),
    })))
}

/// The host application: the casting API under `/casting`, over `store` seen through
/// [`Metered`] and checking [`ApiKeys`], beside the host's own `/stats`.
pub fn host(store: Arc<dyn Store>, keys: ApiKeys) -> impl Endpoint + 'static {
    let (store, counts) = metered(store);
    let api = casting_http::api_service(CastingService::new(store), Arc::new(keys))
        .bearer_scheme(api_key_scheme());
    // Taken before the API moves into the routes.
    let authentication = api.authentication();
    Route::new()
        .nest("/casting", api)
        .at("/stats", get(stats).with(authentication).data(counts))
}
