//! Safe editing on PostgreSQL: what migration 0006 gives existing rows, and writers on two
//! servers (two pools) over one database.

use casting_core::{ListQuery, MovieId, Store, StoreError as Error};
use casting_store_postgres::{MIGRATOR, PoolSettings, PostgresStore, testing};

/// Rows written before migration 0006 come out at version 1, stamped with the migration's time
/// and no subject; the store reads them so, and their next change is version 2.
#[tokio::test]
async fn revisions_migration_stamps_existing_rows_version_one_by_nobody() {
    let Some((name, admin, options)) = testing::empty_database().await else {
        return;
    };
    let pool = PoolSettings::default()
        .pool_options()
        .connect_with(options)
        .await
        .unwrap();
    let (before, after): (Vec<_>, Vec<_>) = MIGRATOR.iter().partition(|m| m.version < 6);
    for migration in before {
        sqlx::raw_sql(migration.sql.clone())
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::raw_sql(
        "INSERT INTO movies (title, release_date) VALUES ('Old', '2000-01-01');
         INSERT INTO actors (name, age, gender) VALUES ('Old actor', 30, 'Other');
         INSERT INTO actors_movies (movie_id, actor_id, billing) VALUES (1, 1, 1);",
    )
    .execute(&pool)
    .await
    .unwrap();
    let started = chrono::Utc::now();
    for migration in after {
        sqlx::raw_sql(migration.sql.clone())
            .execute(&pool)
            .await
            .unwrap();
    }
    let store = PostgresStore::new(pool.clone());
    let movie = store.get_movie(MovieId(1)).await.unwrap();
    assert_eq!(movie.revision.version.get(), 1);
    assert_eq!(movie.revision.created_by, None);
    assert_eq!(movie.revision.updated_by, None);
    assert_eq!(movie.revision.created_at, movie.revision.updated_at);
    let drift = (movie.revision.created_at - started).num_seconds().abs();
    assert!(
        drift < 60,
        "stamped with the migration's time: {drift} s off"
    );
    let actor = store.get_actor(casting_core::ActorId(1)).await.unwrap();
    assert_eq!(actor.revision.version.get(), 1);
    assert_eq!(actor.movies, [MovieId(1)]);

    let edit =
        casting_core::Edit::now("auth0|first-editor").expecting(casting_core::Version::new(1));
    let patch = casting_core::MoviePatch {
        title: Some(casting_core::Title::parse("New").unwrap()),
        ..Default::default()
    };
    let changed = store.update_movie(MovieId(1), patch, &edit).await.unwrap();
    assert_eq!(changed.revision.version.get(), 2);
    assert_eq!(changed.revision.created_by, None, "still unknown");
    assert_eq!(
        changed.revision.updated_by.as_deref(),
        Some("auth0|first-editor")
    );
    let trail = store.list_audit(&ListQuery::default()).await.unwrap();
    assert_eq!(trail.total, Some(1), "the trail starts at the migration");
    pool.close().await;
    testing::drop_named(&admin, &name).await;
}

/// Two servers over one database (two pools): of writers on both expecting the same version,
/// exactly one wins; of duplicate keyed creates on both, exactly one creates.
#[tokio::test]
async fn two_servers_race_on_versions_and_keys_with_one_winner() {
    use casting_core::{
        Edit, Idempotency, IdempotencyKey, MovieId, MoviePatch, NewMovie, ReleaseDate, Title,
        Version,
    };
    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let options = fixture.store.pool().connect_options().as_ref().clone();
    let other = PostgresStore::new(
        PoolSettings::default()
            .pool_options()
            .connect_with(options)
            .await
            .unwrap(),
    );
    let servers: [&dyn Store; 2] = [&fixture.store, &other];
    let new_movie = |title: &str| NewMovie {
        title: Title::parse(title).unwrap(),
        release_date: ReleaseDate::parse("2025-02-08").unwrap(),
        actors: vec![],
    };
    let id: MovieId = fixture
        .store
        .create_movie(new_movie("Shared"), &Edit::now("test|a"), None)
        .await
        .unwrap()
        .record
        .id;

    let writes = (0..8).map(|i| {
        let server = servers[i % 2];
        let edit = Edit::now(format!("test|{i}")).expecting(Version::new(1));
        let patch = MoviePatch {
            title: Some(Title::parse(&format!("Title {i}")).unwrap()),
            ..MoviePatch::default()
        };
        async move { server.update_movie(id, patch, &edit).await }
    });
    let results = futures_util::future::join_all(writes).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(Error::PreconditionFailed { .. }))),
        "{results:?}"
    );

    let creates = (0..8).map(|i| {
        let server = servers[i % 2];
        let edit = Edit::now("test|retrier");
        let key = Idempotency {
            key: IdempotencyKey::parse("same-key").unwrap(),
            request: "title=Once".into(),
            expires_at: edit.at + chrono::TimeDelta::hours(1),
        };
        let movie = new_movie("Once");
        async move { server.create_movie(movie, &edit, Some(&key)).await }
    });
    let results = futures_util::future::join_all(creates).await;
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(Error::RequestInProgress))),
        "{results:?}"
    );
    let total = other
        .list_movies(&ListQuery::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, Some(2), "one shared movie and one keyed create");
    other.close().await;
    fixture.drop_database().await;
}
