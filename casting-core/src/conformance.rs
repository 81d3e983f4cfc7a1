//! The conformance suite: what every [`Store`] must do, as public async checks.
//!
//! Each check takes a fresh, empty store as `&dyn Store` and panics with a message when the store
//! breaks a rule. A backend runs them all from its `tests/` with [`conformance_tests!`], which
//! expands into one `#[tokio::test]` per check, so a failure names the check (the calling crate
//! needs `tokio` with `macros` and `rt-multi-thread`):
//!
//! ```no_run
//! # fn main() {}
//! use casting_store_memory::MemoryStore;
//!
//! async fn fresh() -> Option<MemoryStore> {
//!     Some(MemoryStore::new())
//! }
//! casting_core::conformance_tests!(fresh);
//! ```
//!
//! The fixture function returns `None` to skip (a database that is not configured), and anything
//! that implements [`Fixture`]: every [`Store`] does, and a backend that must clean up after a
//! check (drop a test database) gives its own.
//!
//! # Over PostgreSQL, and through a decorator
//!
//! `casting-store-postgres` with its feature `testing` gives a fresh, migrated database per
//! check on the server at `DATABASE_URL` (`testing::fresh()`, a [`Fixture`] that drops the
//! database when the check passes; without `DATABASE_URL` the checks say they were skipped,
//! and with `CASTING_REQUIRE_DB=1` they fail instead):
//!
//! ```toml
//! [dev-dependencies]
//! casting-core = { version = "0.1", features = ["conformance"] }
//! casting-store-postgres = { version = "0.1", features = ["testing"] }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! and `casting_core::conformance_tests!(casting_store_postgres::testing::fresh);` runs the
//! suite on `PostgresStore` itself.
//!
//! A store that wraps another (a [`Decorated`](crate::Decorated) one, say) passes the suite
//! through a fixture that holds both the wrapper and what it must clean up:
//!
//! ```no_run
//! # fn main() {}
//! use std::sync::Arc;
//!
//! use casting_core::conformance::Fixture;
//! use casting_core::{Decorated, Decorator, Store};
//! # mod casting_store_postgres { pub mod testing {
//! #     use casting_core::{Store, conformance::Fixture};
//! #     pub struct TestDatabase { pub store: std::sync::Arc<dyn Store> }
//! #     impl TestDatabase { pub async fn drop_database(self) {} }
//! #     pub async fn fresh() -> Option<TestDatabase> { None }
//! # } }
//! use casting_store_postgres::testing::{self, TestDatabase};
//!
//! #[derive(Debug)]
//! struct Mine;
//! impl Decorator for Mine {}
//!
//! struct Wrapped {
//!     store: Decorated<Mine>,
//!     database: TestDatabase,
//! }
//!
//! impl Fixture for Wrapped {
//!     fn store(&self) -> &dyn Store {
//!         &self.store
//!     }
//!     async fn finish(self) {
//!         self.database.drop_database().await;
//!     }
//! }
//!
//! async fn fresh() -> Option<Wrapped> {
//!     let database = testing::fresh().await?;
//!     let store = Decorated::new(Arc::new(database.store.clone()), Mine);
//!     Some(Wrapped { store, database })
//! }
//!
//! casting_core::conformance_tests!(fresh);
//! ```
//!
//! `examples/embedding` in the workspace runs exactly this, on both stores.
//!
//! [`conformance_tests!`]: crate::conformance_tests

use std::collections::BTreeSet;
use std::future::Future;

use futures_util::future::join_all;

use crate::credit::{CastMember, NewCast};
use crate::domain::{Age, Gender, Name, ReleaseDate, Title};
use crate::error::StoreError;
use crate::model::{
    Actor, ActorId, ActorPatch, Movie, MovieId, MoviePatch, NewActor, NewMovie, ResourceKind,
};
use crate::query::{Filter, ListQuery, MovieQuery};
use crate::revision::Edit;
use crate::store::Store;

mod checks;
mod credits;
mod editing;
mod history;
mod lists;
mod log;
mod relations;
mod restore;
mod search;
mod values;
mod whole;

/// What a backend's fixture function gives each check: a fresh, empty store.
pub trait Fixture: Send + Sized {
    /// The store under test.
    fn store(&self) -> &dyn Store;
    /// Cleans up after a check that passed (a panicking check skips this, leaving the data
    /// for inspection).
    fn finish(self) -> impl Future<Output = ()> + Send {
        async {}
    }
}

impl<S: Store> Fixture for S {
    fn store(&self) -> &dyn Store {
        self
    }
}

/// Expands into one `#[tokio::test]` per conformance check, each calling `$fixture().await` for
/// a fresh store (`None` skips the check). The calling crate needs `tokio` with the `macros` and
/// `rt-multi-thread` features.
///
/// The list of checks is written once, here: the same list re-exports the check functions from
/// their private modules, so a check left out of it is dead code and fails the build under
/// `-D warnings`, and a name in it that is not a check does not compile.
#[macro_export]
macro_rules! conformance_tests {
    (@list ($($head:tt)*)) => {
        $crate::conformance_tests!($($head)*;
                checks::empty_store_lists_nothing,
                checks::movie_create_get_list,
                checks::actor_create_get_list,
                checks::movie_partial_update,
                checks::actor_partial_update,
                checks::movie_delete_returns_what_was_deleted,
                checks::actor_delete_returns_what_was_deleted,
                checks::not_found_on_get_update_delete,
                relations::relation_visible_from_both_sides_sorted,
                relations::repeated_relation_ids_are_stored_once,
                relations::replacing_a_relation,
                relations::unknown_relations_on_create_change_nothing,
                relations::unknown_relations_on_update_change_nothing,
                relations::delete_movie_unlinks_and_keeps_actors,
                relations::delete_actor_unlinks_and_keeps_movies,
                lists::paging_defaults_and_past_the_end,
                lists::per_page_bounds,
                lists::q_filters_case_insensitively,
                lists::q_treats_wildcards_literally,
                lists::q_folds_unicode_the_same_everywhere,
                lists::lists_are_ordered_by_id,
                search::movie_filters_dates_and_cast,
                search::actor_filters_gender_age_and_movies,
                search::sorts_break_ties_by_id,
                search::cursor_walks_see_every_record_once,
                search::cursor_walks_survive_inserts_and_deletes,
                search::count_none_and_cursor_checks,
                checks::ids_are_never_reused,
                checks::concurrent_creates_get_distinct_ids,
                relations::concurrent_cast_replacements_end_in_one_cast,
                relations::concurrent_role_replacements_end_in_one_list,
                relations::concurrent_edits_from_both_sides_stay_consistent,
                credits::cast_replacement_stores_credits_in_billing_order,
                credits::unknown_ids_in_a_cast_change_nothing,
                credits::id_lists_keep_credits_and_bill_new_links_last,
                credits::deletes_remove_credits,
                credits::concurrent_cast_puts_end_in_one_whole_cast,
                editing::versions_count_every_change_from_both_sides,
                editing::stale_versions_change_nothing,
                editing::concurrent_writers_expecting_one_version_one_wins,
                editing::concurrent_casts_naming_one_actor_count_each,
                whole::racing_relinks_commit_whole_or_not_at_all,
                history::the_audit_trail_records_every_change,
                history::idempotent_creates_run_once,
                history::concurrent_duplicate_creates_make_one,
                values::every_entry_keeps_values_before_and_after,
                restore::a_deleted_movie_comes_back_whole,
                restore::a_deleted_actor_comes_back_with_credits,
                restore::restore_leaves_out_what_was_deleted_since,
                restore::restore_twice_and_unknown_ids,
                restore::concurrent_restores_make_one_winner,
                log::the_log_reads_from_oldest_a_cursor_or_now,
                log::a_waiting_reader_wakes_for_the_next_entry,
                log::a_follower_sees_every_entry_once_in_order,
        );
    };
    (@export; $($module:ident :: $check:ident),* $(,)?) => {
        $(pub use self::$module::$check;)*
        /// The name of every check, in the order [`conformance_tests!`](crate::conformance_tests) runs them.
        pub const CHECKS: &[&str] = &[$(stringify!($check)),*];
    };
    (@tests $fixture:path; $($module:ident :: $check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let Some(fixture) = $fixture().await else {
                    return;
                };
                $crate::conformance::$check($crate::conformance::Fixture::store(&fixture)).await;
                $crate::conformance::Fixture::finish(fixture).await;
            }
        )*
    };
    ($fixture:path) => {
        $crate::conformance_tests!(@list (@tests $fixture));
    };
}

crate::conformance_tests!(@list (@export));

// Helpers shared by the checks.

/// A store's writes as a caller makes them who sends no expected versions and no
/// idempotency keys, answering the plain records: what most checks need.
#[derive(Clone, Copy)]
struct Plain<'a>(&'a dyn Store);

fn plain(store: &dyn Store) -> Plain<'_> {
    Plain(store)
}

/// The edit of the checks that do not test who edits.
fn editor() -> Edit {
    Edit::now("conformance|editor")
}

impl<'a> Plain<'a> {
    async fn create_movie(self, movie: NewMovie) -> Result<Movie, StoreError> {
        let created = self.0.create_movie(movie, &editor(), None).await?;
        Ok(created.record)
    }

    async fn create_actor(self, actor: NewActor) -> Result<Actor, StoreError> {
        let created = self.0.create_actor(actor, &editor(), None).await?;
        Ok(created.record)
    }

    async fn update_movie(self, id: MovieId, patch: MoviePatch) -> Result<Movie, StoreError> {
        self.0.update_movie(id, patch, &editor()).await
    }

    async fn update_actor(self, id: ActorId, patch: ActorPatch) -> Result<Actor, StoreError> {
        self.0.update_actor(id, patch, &editor()).await
    }

    async fn delete_movie(self, id: MovieId) -> Result<Movie, StoreError> {
        self.0.delete_movie(id, &editor()).await
    }

    async fn delete_actor(self, id: ActorId) -> Result<Actor, StoreError> {
        self.0.delete_actor(id, &editor()).await
    }

    async fn get_cast(self, id: MovieId) -> Result<Vec<CastMember>, StoreError> {
        Ok(self.0.get_cast(id).await?.members)
    }

    async fn replace_cast(self, id: MovieId, cast: NewCast) -> Result<Vec<CastMember>, StoreError> {
        Ok(self.0.replace_cast(id, cast, &editor()).await?.members)
    }
}

fn title(text: &str) -> Title {
    Title::parse(text).expect("test title is valid")
}

fn name(text: &str) -> Name {
    Name::parse(text).expect("test name is valid")
}

fn date(text: &str) -> ReleaseDate {
    ReleaseDate::parse(text).expect("test date is valid")
}

fn age(years: i64) -> Age {
    Age::parse(years).expect("test age is valid")
}

fn new_movie(text: &str, actors: &[ActorId]) -> NewMovie {
    NewMovie::new(title(text), date("2025-02-08")).with_actors(actors.to_vec())
}

fn new_actor(text: &str, movies: &[MovieId]) -> NewActor {
    NewActor::new(name(text), age(40), Gender::Female).with_movies(movies.to_vec())
}

async fn add_movie(store: &dyn Store, text: &str, actors: &[ActorId]) -> Movie {
    plain(store)
        .create_movie(new_movie(text, actors))
        .await
        .expect("create_movie")
}

async fn add_actor(store: &dyn Store, text: &str, movies: &[MovieId]) -> Actor {
    plain(store)
        .create_actor(new_actor(text, movies))
        .await
        .expect("create_actor")
}

async fn add_movies(store: &dyn Store, count: usize) -> Vec<MovieId> {
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        ids.push(add_movie(store, &format!("Movie {i:03}"), &[]).await.id);
    }
    ids
}

fn query<F: Filter>(page: u32, per_page: u32, q: Option<&str>) -> ListQuery<F> {
    ListQuery::new(page, per_page, q).expect("test query is valid")
}

async fn movie_ids(store: &dyn Store, query: &MovieQuery) -> Vec<MovieId> {
    let page = store.list_movies(query).await.expect("list_movies");
    page.items.into_iter().map(|m| m.id).collect()
}

async fn movie_total(store: &dyn Store) -> u64 {
    store
        .list_movies(&ListQuery::default())
        .await
        .expect("list_movies")
        .total
        .expect("counted")
}

async fn actor_total(store: &dyn Store) -> u64 {
    store
        .list_actors(&ListQuery::default())
        .await
        .expect("list_actors")
        .total
        .expect("counted")
}

fn assert_not_found<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    kind: ResourceKind,
    id: i64,
    what: &str,
) {
    match result {
        Err(StoreError::NotFound { kind: k, id: i }) if k == kind && i == id => {}
        other => panic!("{what}: expected NotFound {kind} {id}, got {other:?}"),
    }
}

fn assert_unknown<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    kind: ResourceKind,
    ids: &[i64],
    what: &str,
) {
    match result {
        Err(StoreError::UnknownRelations { kind: k, ids: got })
            if k == kind && got.as_slice() == ids => {}
        other => panic!("{what}: expected UnknownRelations {kind} {ids:?}, got {other:?}"),
    }
}

/// Checks that links agree from both sides for the given records.
async fn assert_links_consistent(store: &dyn Store, movies: &[MovieId], actors: &[ActorId]) {
    let mut from_movies = BTreeSet::new();
    for &movie in movies {
        for actor in store.get_movie(movie).await.expect("get_movie").actors {
            from_movies.insert((movie, actor));
        }
    }
    let mut from_actors = BTreeSet::new();
    for &actor in actors {
        for movie in store.get_actor(actor).await.expect("get_actor").movies {
            from_actors.insert((movie, actor));
        }
    }
    assert_eq!(
        from_movies, from_actors,
        "links seen from movies and from actors differ"
    );
}

fn patch_title(text: &str) -> MoviePatch {
    MoviePatch {
        title: Some(title(text)),
        ..MoviePatch::default()
    }
}

fn patch_movies(movies: &[MovieId]) -> ActorPatch {
    ActorPatch {
        movies: Some(movies.to_vec()),
        ..ActorPatch::default()
    }
}
