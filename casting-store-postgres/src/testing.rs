//! (feature `testing`) A fresh, migrated PostgreSQL database per test, on the server at
//! `DATABASE_URL`, for this crate's tests and for any crate that tests over this store.
//!
//! Without `DATABASE_URL` the tests say once that they were skipped and pass; with
//! `CASTING_REQUIRE_DB=1` they fail instead. A test that passes drops its database; one that
//! fails leaves it for inspection, and the next run drops it once its process is gone.
//!
//! The conformance suite over this store, from a crate's `tests/` (dev-dependencies
//! `casting-core` with feature `conformance`, this crate with feature `testing`, and `tokio`
//! with `macros` and `rt-multi-thread`):
//!
//! ```no_run
//! # fn main() {}
//! casting_core::conformance_tests!(casting_store_postgres::testing::fresh);
//! ```
//!
//! A store that wraps `PostgresStore` keeps the [`TestDatabase`] beside it in a fixture of its
//! own, as `casting_core::conformance`'s docs show.

use std::collections::BTreeSet;
use std::io::Write;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, PoisonError};

use crate::pool::{PoolSettings, PostgresStore};
use casting_core::Store;
use casting_core::conformance::Fixture;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

const PREFIX: &str = "casting_test_";

/// `DATABASE_URL`, or `None` after saying the tests are skipped.
pub fn database_url() -> Option<String> {
    static SKIP: Once = Once::new();
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CASTING_REQUIRE_DB").as_deref() != Ok("1"),
                "CASTING_REQUIRE_DB=1 but DATABASE_URL is not set: PostgreSQL tests cannot run"
            );
            SKIP.call_once(|| {
                // Straight to stderr, past the test harness's capture, so it is seen.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: PostgreSQL store tests (DATABASE_URL is not set)"
                );
            });
            None
        }
    }
}

/// A database of its own for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// The store over it, migrated.
    pub store: PostgresStore,
    /// The database's name.
    pub name: String,
    admin: PgConnectOptions,
}

impl Fixture for TestDatabase {
    fn store(&self) -> &dyn Store {
        &self.store
    }

    async fn finish(self) {
        self.drop_database().await;
    }
}

impl TestDatabase {
    /// Takes charge of a database made by [`empty_database`].
    pub fn adopt(store: PostgresStore, name: String, admin: PgConnectOptions) -> Self {
        Self { store, name, admin }
    }

    /// Closes the pool and drops the database.
    pub async fn drop_database(self) {
        self.store.close().await;
        drop_named(&self.admin, &self.name).await;
    }
}

/// Drops the database `name` (made by [`empty_database`]), ending its connections.
pub async fn drop_named(admin: &PgConnectOptions, name: &str) {
    let mut conn = admin.connect().await.expect("connect to drop");
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .expect("drop test database");
    let _ = conn.close().await;
}

/// An empty database, not migrated: its name, the admin connect options (to drop it), and its
/// own connect options. Its name starts with `casting_test_`.
pub async fn empty_database() -> Option<(String, PgConnectOptions, PgConnectOptions)> {
    empty_database_with_prefix(PREFIX).await
}

/// [`empty_database`], named `<prefix><process id>_<n>`: a crate sharing one server with others
/// keeps its test databases apart (and sweeps only its own). The prefix is lowercase ASCII
/// letters, digits and `_`, starting with a letter.
///
/// # Panics
///
/// When the prefix breaks that rule, or the server cannot be reached.
pub async fn empty_database_with_prefix(
    prefix: &str,
) -> Option<(String, PgConnectOptions, PgConnectOptions)> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static SWEPT: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    assert!(
        prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "a test database prefix is lowercase ASCII letters, digits and `_`: {prefix:?}"
    );

    let url = database_url()?;
    let admin = PgConnectOptions::from_str(&url).expect("DATABASE_URL parses");
    let mut conn = admin.connect().await.expect("connect to DATABASE_URL");
    let sweep = SWEPT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(prefix.to_owned());
    if sweep {
        sweep_stale(&admin, prefix).await;
    }

    let name = format!(
        "{prefix}{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let _ = conn.close().await;
    let options = admin.clone().database(&name);
    Some((name, admin, options))
}

/// The original Flask app's schema, exactly as its `db.create_all()` makes it on PostgreSQL 15
/// (SQLAlchemy's DDL): the database `casting-server adopt` converts.
pub const FLASK_SCHEMA: &str = "
    CREATE TYPE gender_enum AS ENUM ('MALE', 'FEMALE');
    CREATE TABLE movies (
        id SERIAL NOT NULL,
        title VARCHAR NOT NULL,
        release_date DATE NOT NULL,
        PRIMARY KEY (id)
    );
    CREATE INDEX ix_movies_id ON movies (id);
    CREATE TABLE actors (
        id SERIAL NOT NULL,
        name VARCHAR NOT NULL,
        age INTEGER NOT NULL,
        gender gender_enum NOT NULL,
        PRIMARY KEY (id)
    );
    CREATE INDEX ix_actors_id ON actors (id);
    CREATE TABLE actors_movies (
        actor_id INTEGER NOT NULL,
        movie_id INTEGER NOT NULL,
        PRIMARY KEY (actor_id, movie_id),
        FOREIGN KEY(actor_id) REFERENCES actors (id),
        FOREIGN KEY(movie_id) REFERENCES movies (id)
    );";

/// Whether test databases are made by adopting the Flask schema (`CASTING_TEST_SCHEMA=adopted`)
/// instead of by the migrations: CI runs the store and HTTP suites both ways.
pub fn adopted_schema() -> bool {
    std::env::var("CASTING_TEST_SCHEMA").as_deref() == Ok("adopted")
}

/// A fresh database with this server's schema, behind a `PostgresStore`: migrated, or (with
/// `CASTING_TEST_SCHEMA=adopted`) made as the Flask app makes it and then adopted.
pub async fn fresh() -> Option<TestDatabase> {
    fresh_with_prefix(PREFIX).await
}

/// [`fresh`], with its database named as [`empty_database_with_prefix`] names it.
pub async fn fresh_with_prefix(prefix: &str) -> Option<TestDatabase> {
    let (name, admin, options) = empty_database_with_prefix(prefix).await?;
    let pool = PoolSettings::default()
        .pool_options()
        .connect_with(options)
        .await
        .expect("connect to the test database");
    if adopted_schema() {
        sqlx::raw_sql(FLASK_SCHEMA)
            .execute(&pool)
            .await
            .expect("the Flask schema");
        let options = crate::adopt::AdoptOptions {
            apply: true,
            quarantine: false,
        };
        crate::adopt(&pool, options).await.expect("adopt");
    }
    let store = PostgresStore::new(pool);
    store.migrate().await.expect("migrate");
    Some(TestDatabase { store, name, admin })
}

/// Drops the test databases named with `prefix` of processes that are gone (tests that failed
/// earlier).
async fn sweep_stale(admin: &PgConnectOptions, prefix: &str) {
    let mut conn = admin.connect().await.expect("connect to sweep");
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
            .bind(prefix)
            .fetch_all(&mut conn)
            .await
            .expect("list test databases");
    for name in names {
        // Only `<prefix><pid>_<n>`: a longer prefix's databases are not this prefix's.
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once('_'))
            .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = sqlx::query(AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
    let _ = conn.close().await;
}

/// The plan PostgreSQL runs a movie list with (`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)`), one
/// line per element: for docs/performance.md and the `scale` example.
pub async fn explain_movies(
    store: &PostgresStore,
    query: &casting_core::MovieQuery,
) -> Result<Vec<String>, sqlx::Error> {
    crate::list::explain(store.pool(), query).await
}

/// The plan PostgreSQL runs an actor list with, like [`explain_movies`].
pub async fn explain_actors(
    store: &PostgresStore,
    query: &casting_core::ActorQuery,
) -> Result<Vec<String>, sqlx::Error> {
    crate::list::explain(store.pool(), query).await
}
