//! What the memory store keeps bounded: the audit trail keeps its newest entries.

use casting_core::{AuditQuery, Edit, MoviePatch, NewMovie, ReleaseDate, Store, Title};
use casting_store_memory::MemoryStore;

#[tokio::test]
async fn the_trail_keeps_its_newest_entries_up_to_its_capacity() {
    let store = MemoryStore::with_audit_capacity(3);
    let edit = Edit::now("test|bounds");
    let movie = store
        .create_movie(
            NewMovie::new(
                Title::parse("Bounded").unwrap(),
                ReleaseDate::parse("2025-02-08").unwrap(),
            ),
            &edit,
            None,
        )
        .await
        .unwrap()
        .record;
    for i in 0..4 {
        let patch = MoviePatch {
            title: Some(Title::parse(&format!("Bounded {i}")).unwrap()),
            ..MoviePatch::default()
        };
        store.update_movie(movie.id, patch, &edit).await.unwrap();
    }
    let trail = store.list_audit(&AuditQuery::default()).await.unwrap();
    assert_eq!(trail.total, Some(3));
    let versions: Vec<i64> = trail.items.iter().map(|e| e.version.get()).collect();
    assert_eq!(versions, [5, 4, 3], "the newest three, newest first");
    let numbers: Vec<i64> = trail.items.iter().map(|e| e.id).collect();
    assert_eq!(numbers, [5, 4, 3], "entries keep their numbers");
}

/// A deleted movie can be restored while its delete entry is kept, and not once the bound
/// has dropped it.
#[tokio::test]
async fn a_delete_the_bound_dropped_can_no_longer_be_restored() {
    let store = MemoryStore::with_audit_capacity(3);
    let edit = Edit::now("test|bounds");
    let movie = |title: &str| {
        NewMovie::new(
            Title::parse(title).unwrap(),
            ReleaseDate::parse("2025-02-08").unwrap(),
        )
    };
    let kept = store.create_movie(movie("Kept"), &edit, None).await;
    let kept = kept.unwrap().record.id;
    store.delete_movie(kept, &edit).await.unwrap();
    store.restore_movie(kept, &edit).await.unwrap();
    store.delete_movie(kept, &edit).await.unwrap();
    for title in ["A", "B", "C"] {
        store.create_movie(movie(title), &edit, None).await.unwrap();
    }
    match store.restore_movie(kept, &edit).await {
        Err(casting_core::StoreError::NotFound { id, .. }) => assert_eq!(id, kept.get()),
        other => panic!("expected NotFound once the delete entry is gone, got {other:?}"),
    }
}
