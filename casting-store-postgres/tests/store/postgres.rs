//! What only the PostgreSQL store has: migrations, CHECK constraints, an unreachable server.

use casting_store_postgres::testing;

use std::time::Duration;

use casting_core::{ListQuery, Store, StoreError as Error};
use casting_store_postgres::{MIGRATOR, PoolSettings, PostgresStore, migrate};

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_again_without_change() {
    let Some((name, admin, options)) = testing::empty_database().await else {
        return;
    };
    let pool = PoolSettings::default()
        .pool_options()
        .connect_with(options)
        .await
        .unwrap();
    migrate(&pool).await.expect("first run");
    migrate(&pool).await.expect("second run is a no-op");

    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
    let embedded: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    assert_eq!(applied, embedded);

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'
           AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        tables,
        [
            "actor_versions",
            "actors",
            "actors_movies",
            "audit_log",
            "audit_positions",
            "idempotency_keys",
            "log_head",
            "movies",
            "row_counts"
        ]
    );

    let views: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.views
         WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(views, ["actors_now", "audit_entries", "audit_pending"]);

    let store = PostgresStore::new(pool);
    let fixture = testing::TestDatabase::adopt(store, name, admin);
    assert_eq!(
        fixture
            .store
            .list_movies(&ListQuery::default())
            .await
            .unwrap()
            .total,
        Some(0)
    );
    fixture.drop_database().await;
}

/// Each statement must fail with a CHECK (or NOT NULL / foreign key) violation.
#[tokio::test]
async fn constraints_reject_direct_bad_inserts() {
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let pool = fixture.store.pool().clone();
    let bad: [(&str, &str); 15] = [
        (
            "INSERT INTO movies (title, release_date) VALUES ('', '2025-01-01')",
            "23514",
        ),
        (
            "INSERT INTO movies (title, release_date) VALUES ('  padded ', '2025-01-01')",
            "23514",
        ),
        (
            "INSERT INTO movies (title, release_date) VALUES (repeat('x', 201), '2025-01-01')",
            "23514",
        ),
        (
            "INSERT INTO movies (title, release_date) VALUES (E'tab\\there', '2025-01-01')",
            "23514",
        ),
        (
            "INSERT INTO movies (title, release_date) VALUES ('Old', '0001-01-01'::date - 1)",
            "23514",
        ),
        (
            "INSERT INTO movies (title, release_date) VALUES (NULL, '2025-01-01')",
            "23502",
        ),
        (
            "INSERT INTO actors (name, age, gender) VALUES ('', 30, 'Male')",
            "23514",
        ),
        (
            "INSERT INTO actors (name, age, gender) VALUES ('A', -1, 'Male')",
            "23514",
        ),
        (
            "INSERT INTO actors (name, age, gender) VALUES ('A', 151, 'Male')",
            "23514",
        ),
        (
            "INSERT INTO actors (name, age, gender) VALUES ('A', 30, 'male')",
            "23514",
        ),
        (
            "INSERT INTO actors (name, age, gender) VALUES ('A', 30, 'Robot')",
            "23514",
        ),
        (
            "INSERT INTO actors (name, age, gender) VALUES (repeat('n', 201), 30, 'Other')",
            "23514",
        ),
        (
            "INSERT INTO actors_movies (movie_id, actor_id, billing) VALUES (999, 999, 1)",
            "23503",
        ),
        (
            "INSERT INTO movies (id, title, release_date) VALUES (5, 'Forced id', '2025-01-01')",
            "428C9",
        ),
        // Only an actor's entry may wait for its number (migration 0009).
        (
            "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version)
             VALUES (now(), 's', 'movie', 1, 'update', ARRAY['actors'], NULL)",
            "23514",
        ),
    ];
    for (sql, code) in bad {
        let err = sqlx::query(sql).execute(&pool).await.expect_err(sql);
        let got = err
            .as_database_error()
            .and_then(|e| e.code())
            .unwrap_or_default();
        assert_eq!(got, code, "{sql}: {err}");
    }
    // The edges themselves are allowed.
    for ok in [
        "INSERT INTO movies (title, release_date) VALUES (repeat('é', 200), '9999-12-31')",
        "INSERT INTO actors (name, age, gender) VALUES ('Z', 0, 'Female'), ('Y', 150, 'Other')",
    ] {
        sqlx::query(ok).execute(&pool).await.expect(ok);
    }
    // Credits (migration 0005), on movie 1 and actors 1 and 2 made just above.
    for (sql, code) in [
        (
            "INSERT INTO actors_movies (movie_id, actor_id, billing) VALUES (1, 1, NULL)",
            "23502",
        ),
        (
            "INSERT INTO actors_movies (movie_id, actor_id, billing) VALUES (1, 1, 0)",
            "23514",
        ),
        (
            "INSERT INTO actors_movies (movie_id, actor_id, character, billing)
             VALUES (1, 1, ' Padded', 1)",
            "23514",
        ),
        (
            "INSERT INTO actors_movies (movie_id, actor_id, character, billing)
             VALUES (1, 1, repeat('c', 201), 1)",
            "23514",
        ),
        (
            "INSERT INTO actors_movies (movie_id, actor_id, billing) VALUES (1, 1, 1), (1, 2, 1)",
            "23505",
        ),
    ] {
        let err = sqlx::query(sql).execute(&pool).await.expect_err(sql);
        let got = err
            .as_database_error()
            .and_then(|e| e.code())
            .unwrap_or_default();
        assert_eq!(got, code, "{sql}: {err}");
    }
    fixture.drop_database().await;
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_quickly() {
    if testing::database_url().is_none() {
        return;
    }
    // Nothing listens on port 1; the pool must give up within its acquire timeout.
    let settings = PoolSettings {
        acquire_timeout: Duration::from_millis(500),
        ..PoolSettings::default()
    };
    let connected = tokio::time::timeout(
        Duration::from_secs(10),
        PostgresStore::connect_with("postgres://postgres@127.0.0.1:1/none", &settings),
    )
    .await
    .expect("connect must not hang");
    assert!(
        matches!(connected, Err(Error::Unavailable(_))),
        "{connected:?}"
    );

    let lazy = PostgresStore::new(
        settings
            .pool_options()
            .connect_lazy("postgres://postgres@127.0.0.1:1/none")
            .unwrap(),
    );
    let query = ListQuery::default();
    let listed = tokio::time::timeout(Duration::from_secs(10), lazy.list_movies(&query))
        .await
        .expect("list must not hang");
    assert!(matches!(listed, Err(Error::Unavailable(_))), "{listed:?}");
    let pinged = tokio::time::timeout(Duration::from_secs(10), lazy.ping())
        .await
        .expect("ping must not hang");
    assert!(matches!(pinged, Err(Error::Unavailable(_))), "{pinged:?}");
}

/// A store whose server goes away answers Unavailable, not a panic or a hang.
#[tokio::test]
async fn a_closed_pool_is_unavailable() {
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let store = fixture.store.clone();
    store.ping().await.expect("ping before close");
    store.close().await;
    assert!(matches!(store.ping().await, Err(Error::Unavailable(_))));
    fixture.drop_database().await;
}

/// A pooled connection the server ended while it sat idle is pinged before it is handed out,
/// found dead and replaced: the caller never sees it. (One idle under 500 ms is handed out
/// unpinged; docs/deployment.md says what that costs.)
#[tokio::test]
async fn a_connection_ended_while_idle_is_replaced_unseen() {
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let store = fixture.store.clone();
    store.ping().await.expect("a pooled connection");
    let options = store.pool().connect_options();
    let mut outsider = <sqlx::PgConnection as sqlx::Connection>::connect_with(&options)
        .await
        .expect("a connection outside the pool");
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut outsider)
    .await
    .expect("end the pool's connections");
    assert!(
        ended.contains(&true),
        "the pool held a connection: {ended:?}"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    store
        .ping()
        .await
        .expect("a live connection after the ping");
    let page = store
        .list_movies(&ListQuery::default())
        .await
        .expect("a list after the ping");
    assert_eq!(page.total, Some(0));
    let _ = sqlx::Connection::close(outsider).await;
    fixture.drop_database().await;
}

/// Unfiltered totals come from trigger-kept counts: they must follow every kind of write, by this
/// store or by anyone else.
#[tokio::test]
async fn totals_follow_direct_writes() {
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let pool = fixture.store.pool().clone();
    let total = || async {
        let movies = fixture
            .store
            .list_movies(&ListQuery::default())
            .await
            .unwrap();
        let actors = fixture
            .store
            .list_actors(&ListQuery::default())
            .await
            .unwrap();
        (movies.total.unwrap(), actors.total.unwrap())
    };
    assert_eq!(total().await, (0, 0));
    for sql in [
        "INSERT INTO movies (title, release_date)
         SELECT 'M' || g, DATE '2000-01-01' FROM generate_series(1, 5) AS g",
        "INSERT INTO actors (name, age, gender) VALUES ('A', 1, 'Male'), ('B', 2, 'Female')",
    ] {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    assert_eq!(total().await, (5, 2));
    sqlx::query("DELETE FROM movies WHERE title IN ('M1', 'M2')")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(total().await, (3, 2));
    // A rolled-back write leaves the counts as they were.
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("DELETE FROM actors")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(total().await, (3, 2));
    sqlx::query("TRUNCATE movies CASCADE")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(total().await, (0, 2));
    let per_shard: i64 = sqlx::query_scalar("SELECT count(*) FROM row_counts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(per_shard, 32, "16 shards for each of two tables");
    fixture.drop_database().await;
}

/// `q` of three characters or more is served by the trigram index, not a scan of every row.
#[tokio::test]
async fn q_uses_the_trigram_index() {
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let pool = fixture.store.pool().clone();
    let mut tx = pool.begin().await.unwrap();
    // Make the planner prefer an index wherever one applies, on this small table.
    sqlx::query("SET LOCAL enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .unwrap();
    for (table, column, index) in [
        ("movies", "title_folded", "movies_title_folded_trgm_idx"),
        ("actors", "name_folded", "actors_name_folded_trgm_idx"),
    ] {
        // The condition the store writes for `q` (see `list::push_matches`).
        let sql = format!("EXPLAIN SELECT count(*) FROM {table} WHERE {column} LIKE '%zebra%'");
        let plan: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        let plan = plan.join("\n");
        assert!(plan.contains(index), "{plan}");
    }
    tx.rollback().await.unwrap();
    fixture.drop_database().await;
}

/// Rows written without their folded text (before migration 0007, or by SQL from outside)
/// are folded by `migrate`, in batches, and found by `q` afterwards; a second run folds
/// nothing.
#[tokio::test]
async fn migrate_folds_the_text_of_rows_written_without_it() {
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let pool = fixture.store.pool().clone();
    sqlx::query(
        "INSERT INTO movies (title, release_date)
         SELECT 'İSTANBUL ' || g, DATE '2000-01-01' FROM generate_series(1, 2500) AS g",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO actors (name, age, gender) VALUES ('ΟΔΥΣΣΕΑΣ', 40, 'Male')")
        .execute(&pool)
        .await
        .unwrap();
    let movies = ListQuery::new(1, 10, Some("istanbul")).unwrap();
    let unfolded = fixture.store.list_movies(&movies).await.unwrap();
    assert_eq!(unfolded.total, Some(0), "not folded yet, not found");

    migrate(&pool).await.expect("migrate");
    let found = fixture.store.list_movies(&movies).await.unwrap();
    assert_eq!(found.total, Some(2500));
    let actors = ListQuery::new(1, 10, Some("οδυσσεας")).unwrap();
    assert_eq!(
        fixture.store.list_actors(&actors).await.unwrap().total,
        Some(1)
    );
    assert_eq!(
        casting_store_postgres::fold_search_text(&pool)
            .await
            .unwrap(),
        0,
        "nothing left to fold"
    );
    fixture.drop_database().await;
}

/// Migration 0005 gives the links made before it no character and a billing in the order the
/// API showed them (ascending actor id), per movie.
#[tokio::test]
async fn credits_migration_bills_existing_links_in_actor_order() {
    let Some((name, admin, options)) = testing::empty_database().await else {
        return;
    };
    let pool = PoolSettings::default()
        .pool_options()
        .connect_with(options)
        .await
        .unwrap();
    let (before, credits): (Vec<_>, Vec<_>) = MIGRATOR.iter().partition(|m| m.version < 5);
    for migration in before {
        sqlx::raw_sql(migration.sql.clone())
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::raw_sql(
        "INSERT INTO movies (title, release_date) VALUES ('One', '2000-01-01'), ('Two', '2000-01-01');
         INSERT INTO actors (name, age, gender)
             SELECT 'Actor ' || g, 30, 'Other' FROM generate_series(1, 4) AS g;
         INSERT INTO actors_movies (movie_id, actor_id) VALUES (1, 4), (1, 2), (2, 3), (1, 3);",
    )
    .execute(&pool)
    .await
    .unwrap();
    for migration in credits {
        sqlx::raw_sql(migration.sql.clone())
            .execute(&pool)
            .await
            .unwrap();
    }
    let links: Vec<(i64, i64, Option<String>, i32)> = sqlx::query_as(
        "SELECT movie_id, actor_id, character, billing FROM actors_movies ORDER BY 1, 2",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        links,
        [
            (1, 2, None, 1),
            (1, 3, None, 2),
            (1, 4, None, 3),
            (2, 3, None, 1)
        ]
    );
    pool.close().await;
    testing::drop_named(&admin, &name).await;
}
