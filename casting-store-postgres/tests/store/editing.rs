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
    let new_movie = |title: &str| {
        NewMovie::new(
            Title::parse(title).unwrap(),
            ReleaseDate::parse("2025-02-08").unwrap(),
        )
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

/// A movie write holds the actors it names only as their foreign key does (`FOR KEY SHARE`),
/// so it never waits on another write's hold of the actor's row: here a transaction holds
/// actor 1 `FOR SHARE` (which would stop a write that updates the actor's row, as movie
/// writes did before migration 0009), and creates, cast changes, a relink and a delete that
/// name the actor all go through. The actor's own write waits for that transaction, then
/// counts every one of those changes.
#[tokio::test]
async fn movie_writes_do_not_wait_on_their_actors_rows() {
    use casting_core::{
        ActorId, ActorPatch, Age, CastInput, Edit, MoviePatch, NewActor, NewMovie, ReleaseDate,
        Title, Version,
    };
    use std::time::Duration;

    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let store = &fixture.store;
    let edit = Edit::now("test|writer");
    let star = store
        .create_actor(
            NewActor::new(
                casting_core::Name::parse("Star").unwrap(),
                Age::parse(40).unwrap(),
                casting_core::Gender::Female,
            ),
            &edit,
            None,
        )
        .await
        .unwrap()
        .record
        .id;
    let new_movie = |title: &str, actors: Vec<ActorId>| {
        NewMovie::new(
            Title::parse(title).unwrap(),
            ReleaseDate::parse("2025-02-08").unwrap(),
        )
        .with_actors(actors)
    };

    let mut holder = store.pool().begin().await.unwrap();
    sqlx::query("SELECT id FROM actors WHERE id = $1 FOR SHARE")
        .bind(star.get())
        .execute(&mut *holder)
        .await
        .unwrap();

    let movie_writes = async {
        let first = store
            .create_movie(new_movie("First", vec![star]), &edit, None)
            .await?
            .record
            .id;
        let second = store
            .create_movie(new_movie("Second", vec![]), &edit, None)
            .await?
            .record
            .id;
        let cast = CastInput { cast: vec![] }.validate().unwrap();
        store.replace_cast(first, cast, &edit).await?;
        let relink = MoviePatch {
            actors: Some(vec![star]),
            ..MoviePatch::default()
        };
        store.update_movie(second, relink, &edit).await?;
        store.delete_movie(second, &edit).await?;
        Ok::<_, Error>(())
    };
    tokio::time::timeout(Duration::from_secs(30), movie_writes)
        .await
        .expect("movie writes waited on the actor's row")
        .unwrap();

    // Four changes of the star's movies: joined First, left it, joined Second, Second deleted.
    let aged = ActorPatch {
        age: Some(Age::parse(41).unwrap()),
        ..ActorPatch::default()
    };
    let expected = Edit::now("test|own").expecting(Version::new(5));
    let own = tokio::spawn({
        let store = store.clone();
        async move { store.update_actor(star, aged, &expected).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !own.is_finished(),
        "the actor's own write waits for the holder"
    );
    holder.commit().await.unwrap();
    let actor = own
        .await
        .unwrap()
        .expect("the tag counts the four movie writes");
    assert_eq!(actor.revision.version.get(), 6);
    assert_eq!(actor.revision.updated_by.as_deref(), Some("test|own"));
    let trail = store
        .list_audit(
            &casting_core::AuditQuery::new(1, 50, None)
                .unwrap()
                .with_filter(casting_core::AuditFilter::new(
                    Some(casting_core::ResourceKind::Actor),
                    Some(star.get()),
                    None,
                )),
        )
        .await
        .unwrap();
    let versions: Vec<i64> = trail.items.iter().map(|e| e.version.get()).collect();
    assert_eq!(versions, [6, 5, 4, 3, 2, 1], "newest first, each once");
    fixture.drop_database().await;
}

/// The log's numbering step gives the entries movie writes left an actor their versions, and
/// nothing a client reads changes: the version and `updated_*` are the same before and after,
/// and the trail's versions run 1..n; a backlog of any size is numbered on from the last.
#[tokio::test]
async fn numbering_the_log_changes_nothing_a_client_reads() {
    use casting_core::{
        ActorId, AuditFilter, AuditQuery, Edit, NewActor, NewMovie, ReleaseDate, ResourceKind,
        Title,
    };

    let Some(fixture) = testing::fresh().await else {
        return;
    };
    let store = &fixture.store;
    let mut actors = Vec::new();
    for name in ["Busy", "Quiet"] {
        let new = NewActor::new(
            casting_core::Name::parse(name).unwrap(),
            casting_core::Age::parse(40).unwrap(),
            casting_core::Gender::Other,
        );
        let made = store.create_actor(new, &Edit::now("test|a"), None).await;
        actors.push(made.unwrap().record.id);
    }
    let (busy, quiet) = (actors[0], actors[1]);
    let cast = |i: usize| -> Vec<ActorId> { if i < 2 { vec![busy, quiet] } else { vec![busy] } };
    for i in 0..5 {
        let movie = NewMovie::new(
            Title::parse(&format!("Film {i}")).unwrap(),
            ReleaseDate::parse("2025-02-08").unwrap(),
        )
        .with_actors(cast(i));
        let edit = Edit::now(format!("test|caster-{i}"));
        store.create_movie(movie, &edit, None).await.unwrap();
    }
    let pending = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_pending")
            .fetch_one(store.pool())
            .await
            .unwrap()
    };
    let trail = |actor: ActorId| async move {
        let query = AuditQuery::new(1, 50, None)
            .unwrap()
            .with_filter(AuditFilter::new(
                Some(ResourceKind::Actor),
                Some(actor.get()),
                None,
            ));
        let page = store.list_audit(&query).await.unwrap();
        page.items
            .iter()
            .map(|e| e.version.get())
            .collect::<Vec<_>>()
    };
    let busy_before = store.get_actor(busy).await.unwrap();
    let quiet_before = store.get_actor(quiet).await.unwrap();
    assert_eq!(busy_before.revision.version.get(), 6);
    assert_eq!(
        busy_before.revision.updated_by.as_deref(),
        Some("test|caster-4")
    );
    store.number_log().await.unwrap();
    assert_eq!(pending().await, 0);
    assert_eq!(store.get_actor(busy).await.unwrap(), busy_before);
    assert_eq!(store.get_actor(quiet).await.unwrap(), quiet_before);
    assert_eq!(trail(busy).await, [6, 5, 4, 3, 2, 1]);
    assert_eq!(trail(quiet).await, [3, 2, 1]);

    // A backlog (entries a crashed instance left without a position): counted by reads at
    // once, numbered on from the last version.
    sqlx::query(
        "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                                changes)
         SELECT now(), 'test|bulk', 'actor', $1, 'update', ARRAY['name'], NULL, '{}'
         FROM generate_series(1, 1203)",
    )
    .bind(busy.get())
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(
        store.get_actor(busy).await.unwrap().revision.version.get(),
        1209
    );
    store.number_log().await.unwrap();
    assert_eq!(pending().await, 0);
    let numbered: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM audit_entries WHERE resource = 'actor' AND resource_id = $1
         ORDER BY position",
    )
    .bind(busy.get())
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert_eq!(numbered, (1..=1209).collect::<Vec<i64>>());
    assert_eq!(
        store.get_actor(busy).await.unwrap().revision.version.get(),
        1209
    );
    fixture.drop_database().await;
}
