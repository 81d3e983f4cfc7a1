//! [`PostgresStore`], its construction and its [`Store`] impl.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use casting_core::audit::log::{Cursor, LogPage, LogQuery};
use casting_core::{
    Actor, ActorCredit, ActorId, ActorPatch, ActorQuery, ActorSummary, AuditEntry, AuditQuery,
    Cast, Created, Edit, Idempotency, Movie, MovieId, MoviePatch, MovieQuery, MovieSummary,
    NewActor, NewCast, NewMovie, Page, Restored, Store, StoreError, StoreResult as Result,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

use crate::error::from_sqlx;
use crate::log::Log;
use crate::{actors, cast, list, movies, restore};

/// Pool settings for [`PostgresStore::connect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// The most connections the pool opens (default 10).
    pub max_connections: u32,
    /// How long a query waits for a free connection, or for a new one to open, before the store
    /// answers [`StoreError::Unavailable`](casting_core::StoreError::Unavailable) (default 5 s).
    pub acquire_timeout: Duration,
    /// Connections idle this long are closed (default 10 min).
    pub idle_timeout: Option<Duration>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            idle_timeout: Some(Duration::from_secs(600)),
        }
    }
}

/// A connection idle at least this long is pinged before it is handed out; one used more recently
/// is taken as alive (HikariCP's rule and its 500 ms). sqlx's default pings before every
/// acquire: one more round trip per query.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_millis(500);

impl PoolSettings {
    /// The sqlx pool options these settings describe, to adjust further before connecting.
    pub fn pool_options(&self) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(self.acquire_timeout)
            .idle_timeout(self.idle_timeout)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE_FOR {
                        // A failed ping closes the connection; the pool hands out another.
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
    }
}

/// The casting catalogue in PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    log: Arc<Log>,
}

impl PostgresStore {
    /// A store over a pool you made. Run [`crate::migrate`] on it first.
    pub fn new(pool: PgPool) -> Self {
        // Counters start at 0, so that a rate or an alert over them has a series from the
        // start (a series that first appears at 1 hides its first increment).
        metrics::counter!("casting_db_pool_timeouts_total").increment(0);
        let log = Log::new(pool.clone());
        Self { pool, log }
    }

    /// Connects to `url` with the default [`PoolSettings`]. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, &PoolSettings::default()).await
    }

    /// Connects to `url` with `settings`, opening one connection to prove the database answers.
    /// Does not migrate.
    ///
    /// That first connection is opened directly, not through the pool, so that a database that
    /// cannot be reached fails at once with its cause (connection refused, no such database,
    /// authentication failed) instead of the pool retrying until `acquire_timeout` and
    /// reporting only that it timed out. It is still bounded by `acquire_timeout`.
    pub async fn connect_with(url: &str, settings: &PoolSettings) -> Result<Self> {
        let options: PgConnectOptions = url.parse().map_err(from_sqlx)?;
        let first = tokio::time::timeout(
            settings.acquire_timeout,
            PgConnection::connect_with(&options),
        )
        .await
        .map_err(|_| {
            StoreError::unavailable(format!(
                "no answer from the database within {:?}",
                settings.acquire_timeout
            ))
        })?
        .map_err(from_sqlx)?;
        let _ = first.close().await;
        let pool = settings
            .pool_options()
            .connect_with(options)
            .await
            .map_err(from_sqlx)?;
        Ok(Self::new(pool))
    }

    /// Applies the embedded migrations to this store's database.
    pub async fn migrate(&self) -> Result<()> {
        crate::migrate(&self.pool).await
    }

    /// The pool, for callers that share it.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// How many connections the pool holds now, how many of them are idle, and its cap: for
    /// gauges (the server's `/metrics`).
    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            connections: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max_connections: self.pool.options().get_max_connections(),
        }
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.log.stop();
        self.pool.close().await;
    }

    /// Gives every trail entry that has committed its place in the log now. Reads of the trail
    /// do this themselves, and every write starts it in the background; this is for a caller
    /// that wrote through another path (or another process) and wants it done.
    pub async fn number_log(&self) -> Result<()> {
        self.log.catch_up().await
    }

    /// Starts the log's numbering step after a write that returned `result`.
    fn logged<T>(&self, result: Result<T>) -> Result<T> {
        if result.is_ok() {
            self.log.kick();
        }
        result
    }
}

/// A snapshot of the pool ([`PostgresStore::pool_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Connections open, idle or in use.
    pub connections: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// The most the pool opens.
    pub max_connections: u32,
}

#[async_trait]
impl Store for PostgresStore {
    async fn list_movies(&self, query: &MovieQuery) -> Result<Page<MovieSummary>> {
        list::movies(&self.pool, query).await
    }

    async fn get_movie(&self, id: MovieId) -> Result<Movie> {
        movies::get(&self.pool, id).await
    }

    async fn create_movie(
        &self,
        movie: NewMovie,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> Result<Created<Movie>> {
        self.logged(movies::create(&self.pool, movie, edit, key).await)
    }

    async fn update_movie(&self, id: MovieId, patch: MoviePatch, edit: &Edit) -> Result<Movie> {
        self.logged(movies::update(&self.pool, id, patch, edit).await)
    }

    async fn delete_movie(&self, id: MovieId, edit: &Edit) -> Result<Movie> {
        self.logged(movies::delete(&self.pool, id, edit).await)
    }

    async fn restore_movie(&self, id: MovieId, edit: &Edit) -> Result<Restored<Movie>> {
        self.logged(restore::movie(&self.pool, id, edit).await)
    }

    async fn get_cast(&self, id: MovieId) -> Result<Cast> {
        cast::get(&self.pool, id).await
    }

    async fn replace_cast(&self, id: MovieId, new: NewCast, edit: &Edit) -> Result<Cast> {
        self.logged(cast::replace(&self.pool, id, new, edit).await)
    }

    async fn list_actors(&self, query: &ActorQuery) -> Result<Page<ActorSummary>> {
        list::actors(&self.pool, query).await
    }

    async fn get_actor(&self, id: ActorId) -> Result<Actor> {
        actors::get(&self.pool, id).await
    }

    async fn create_actor(
        &self,
        actor: NewActor,
        edit: &Edit,
        key: Option<&Idempotency>,
    ) -> Result<Created<Actor>> {
        self.logged(actors::create(&self.pool, actor, edit, key).await)
    }

    async fn update_actor(&self, id: ActorId, patch: ActorPatch, edit: &Edit) -> Result<Actor> {
        self.logged(actors::update(&self.pool, id, patch, edit).await)
    }

    async fn delete_actor(&self, id: ActorId, edit: &Edit) -> Result<Actor> {
        self.logged(actors::delete(&self.pool, id, edit).await)
    }

    async fn restore_actor(&self, id: ActorId, edit: &Edit) -> Result<Restored<Actor>> {
        self.logged(restore::actor(&self.pool, id, edit).await)
    }

    async fn get_credits(&self, id: ActorId) -> Result<Vec<ActorCredit>> {
        cast::credits(&self.pool, id).await
    }

    async fn list_audit(&self, query: &AuditQuery) -> Result<Page<AuditEntry>> {
        self.log.catch_up().await?;
        list::audit(&self.pool, query).await
    }

    async fn read_log(&self, query: &LogQuery) -> Result<LogPage> {
        self.log.read(query).await
    }

    async fn wait_for_log(&self, after: Cursor, timeout: Duration) -> Result<()> {
        self.log.wait(after, timeout).await
    }

    async fn ping(&self) -> Result<()> {
        let mut conn = crate::acquire::connection(&self.pool).await?;
        sqlx::query("SELECT 1")
            .execute(&mut *conn)
            .await
            .map(drop)
            .map_err(from_sqlx)
    }
}
