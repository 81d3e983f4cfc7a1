//! Audit retention and the trail's values on PostgreSQL: pruning in batches, restores after
//! their delete entry is pruned, and entries from before the trail kept values.

use casting_core::{
    AuditAction, AuditQuery, Edit, MovieId, NewMovie, ReleaseDate, Store, StoreError, Title,
};
use casting_store_postgres::{PRUNE_BATCH, testing};
use chrono::{TimeDelta, Utc};

fn movie(title: &str) -> NewMovie {
    NewMovie::new(
        Title::parse(title).unwrap(),
        ReleaseDate::parse("2001-02-03").unwrap(),
    )
}

/// Entries older than the cut-off go, in batches, however many there are; a record whose
/// delete entry went can no longer be restored, and one whose entry is kept still can.
#[tokio::test]
async fn pruning_removes_old_entries_and_the_restores_they_held() {
    let Some(db) = testing::fresh().await else {
        return;
    };
    let store = &db.store;
    let long_ago = Edit::now("auth0|past").at(Utc::now() - TimeDelta::days(40));
    let old = store
        .create_movie(movie("Old"), &long_ago, None)
        .await
        .unwrap();
    store.delete_movie(old.record.id, &long_ago).await.unwrap();
    let recent = Edit::now("auth0|now");
    let new = store
        .create_movie(movie("New"), &recent, None)
        .await
        .unwrap();
    store.delete_movie(new.record.id, &recent).await.unwrap();
    // More old entries than one batch holds.
    let filler = 2 * PRUNE_BATCH + 7;
    sqlx::query(
        "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version)
         SELECT now() - interval '35 days', 'auth0|past', 'movie', 1000 + g, 'update',
                ARRAY['title'], 2
         FROM generate_series(1, $1) AS g",
    )
    .bind(filler)
    .execute(store.pool())
    .await
    .unwrap();
    // Written behind the store's back: give them their places in the log.
    store.number_log().await.unwrap();

    let pruned = store
        .prune_audit(Utc::now() - TimeDelta::days(30))
        .await
        .unwrap();
    assert_eq!(pruned, u64::try_from(filler).unwrap() + 2);
    let kept = store.list_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(kept.total, Some(2), "the recent create and delete");
    assert!(kept.items.iter().all(|e| e.subject == "auth0|now"));

    match store.restore_movie(old.record.id, &recent).await {
        Err(StoreError::NotFound { id, .. }) => assert_eq!(id, old.record.id.get()),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let back = store.restore_movie(new.record.id, &recent).await.unwrap();
    assert_eq!(back.record.title.as_str(), "New");
    assert_eq!(
        store
            .prune_audit(Utc::now() - TimeDelta::days(30))
            .await
            .unwrap(),
        0
    );
    db.drop_database().await;
}

/// Entries written before migration 0008 list with no values, and a delete among them cannot
/// be restored (it does not hold the record).
#[tokio::test]
async fn entries_from_before_values_list_empty_and_restore_nothing() {
    let Some(db) = testing::fresh().await else {
        return;
    };
    let store = &db.store;
    sqlx::query(
        "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version)
         VALUES (now(), 'auth0|before', 'movie', 77, 'delete', ARRAY[]::text[], 3)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let listed = store.list_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].action, AuditAction::Delete);
    assert!(listed.items[0].changes.is_empty());
    match store
        .restore_movie(MovieId(77), &Edit::now("auth0|now"))
        .await
    {
        Err(StoreError::NotFound { id: 77, .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
    db.drop_database().await;
}

/// An entry still waiting for its place in the log is kept past retention until it has one:
/// the actor's version counts it, and pruning it would take the version back. Pruning a
/// positioned entry leaves the version as it was.
#[tokio::test]
async fn pruning_keeps_entries_waiting_for_their_position() {
    let Some(db) = testing::fresh().await else {
        return;
    };
    let store = &db.store;
    let long_ago = Edit::now("auth0|past").at(Utc::now() - TimeDelta::days(40));
    let actor = casting_core::NewActor::new(
        casting_core::Name::parse("Kept").unwrap(),
        casting_core::Age::parse(30).unwrap(),
        casting_core::Gender::Female,
    );
    let actor = store.create_actor(actor, &long_ago, None).await.unwrap();
    let cast = movie("Cast long ago").with_actors([actor.record.id]);
    store.create_movie(cast, &long_ago, None).await.unwrap();
    store.number_log().await.unwrap();
    // The steps the writes started in the background are over by now (nothing else writes).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // One more left by a crashed instance, as old, still without a position.
    sqlx::query(
        "INSERT INTO audit_log (at, subject, resource, resource_id, action, fields, version,
                                changes)
         VALUES (now() - interval '40 days', 'auth0|past', 'actor', $1, 'update',
                 ARRAY['name'], NULL, '{}')",
    )
    .bind(actor.record.id.get())
    .execute(store.pool())
    .await
    .unwrap();
    let cut = Utc::now() - TimeDelta::days(30);
    let version = || async {
        let read = store.get_actor(actor.record.id).await.unwrap();
        read.revision.version.get()
    };
    assert_eq!(version().await, 3);
    assert_eq!(
        store.prune_audit(cut).await.unwrap(),
        3,
        "the positioned ones"
    );
    assert_eq!(version().await, 3, "the waiting entry still counts");
    store.number_log().await.unwrap();
    assert_eq!(
        store.prune_audit(cut).await.unwrap(),
        1,
        "positioned, then pruned"
    );
    assert_eq!(version().await, 3, "the numbered version stays");
    db.drop_database().await;
}
