//! Checks of what a store remembers about writes: the audit trail and idempotent creates.

use std::collections::BTreeSet;

use chrono::TimeDelta;
use futures_util::future::join_all;

use super::editing::{by, trail};
use super::*;
use crate::audit::{AuditAction, AuditFilter, AuditQuery};
use crate::query::ListParams;
use crate::revision::{Created, Idempotency, IdempotencyKey};

/// An audit entry as the checks compare it: resource, id, action, fields, version, subject.
type Line<'a> = (ResourceKind, i64, AuditAction, Vec<&'a str>, i64, &'a str);

/// Every new version leaves one entry in the trail, written with the change: newest first,
/// naming who, what, which fields and the version; filtered by resource, id and subject;
/// walked by cursor without a gap or a repeat.
pub async fn the_audit_trail_records_every_change(store: &dyn Store) {
    let alice = by("auth0|alice");
    let bob = by("auth0|bob");
    let a = store
        .create_actor(new_actor("A", &[]), &alice, None)
        .await
        .expect("create")
        .record
        .id;
    let movie = store
        .create_movie(new_movie("Audited", &[a]), &bob, None)
        .await
        .expect("create")
        .record
        .id;
    let patch = MoviePatch {
        title: Some(title("Audited II")),
        release_date: Some(date("2020-01-01")),
        ..MoviePatch::default()
    };
    store
        .update_movie(movie, patch, &alice)
        .await
        .expect("update");
    store.delete_movie(movie, &bob).await.expect("delete");

    let entries = trail(store, AuditFilter::default()).await;
    let seen: Vec<Line<'_>> = entries
        .iter()
        .map(|e| {
            (
                e.resource,
                e.resource_id,
                e.action,
                e.fields.iter().map(String::as_str).collect(),
                e.version.get(),
                e.subject.as_str(),
            )
        })
        .collect();
    let (m, ac) = (ResourceKind::Movie, ResourceKind::Actor);
    let (mid, aid) = (movie.get(), a.get());
    let mut expected = vec![
        (
            ac,
            aid,
            AuditAction::Create,
            vec!["name", "age", "gender", "movies"],
            1,
            "auth0|alice",
        ),
        (
            m,
            mid,
            AuditAction::Create,
            vec!["title", "release_date", "actors"],
            1,
            "auth0|bob",
        ),
        (ac, aid, AuditAction::Update, vec!["movies"], 2, "auth0|bob"),
        (
            m,
            mid,
            AuditAction::Update,
            vec!["title", "release_date"],
            2,
            "auth0|alice",
        ),
        (
            m,
            mid,
            AuditAction::Delete,
            vec!["title", "release_date", "actors", "cast"],
            3,
            "auth0|bob",
        ),
        (ac, aid, AuditAction::Update, vec!["movies"], 3, "auth0|bob"),
    ];
    expected.reverse();
    assert_eq!(seen, expected, "newest first");
    assert!(
        entries.windows(2).all(|w| w[0].id > w[1].id),
        "entry numbers fall, newest first"
    );
    assert_eq!(entries.last().map(|e| e.at), Some(alice.at));
    assert_eq!(entries.first().map(|e| e.at), Some(bob.at));

    let about_movie = trail(store, AuditFilter::new(Some(m), Some(mid), None)).await;
    assert_eq!(about_movie.len(), 3);
    assert!(
        about_movie
            .iter()
            .all(|e| e.resource == m && e.resource_id == mid)
    );
    let by_alice = trail(
        store,
        AuditFilter::new(None, None, Some("auth0|alice".into())),
    )
    .await;
    assert_eq!(by_alice.len(), 2);
    let actors = trail(store, AuditFilter::new(Some(ac), None, None)).await;
    assert_eq!(actors.len(), 3);
    let nobody = trail(
        store,
        AuditFilter::new(None, None, Some("auth0|nobody".into())),
    )
    .await;
    assert!(nobody.is_empty());

    let counted = store
        .list_audit(&AuditQuery::default())
        .await
        .expect("list_audit");
    assert_eq!(counted.total, Some(6));
    assert_eq!(counted.items, entries);
    let params = crate::audit::AuditListParams {
        list: ListParams {
            page: Some(2),
            per_page: Some(4),
            ..ListParams::default()
        },
        ..Default::default()
    };
    let second = store
        .list_audit(&AuditQuery::parse(&params).expect("valid"))
        .await
        .expect("list_audit");
    assert_eq!(second.items, entries[4..]);
}

fn key(text: &str, request: &str, edit: &Edit) -> Idempotency {
    Idempotency {
        key: IdempotencyKey::parse(text).expect("a valid key"),
        request: request.to_owned(),
        expires_at: edit.at + TimeDelta::hours(24),
    }
}

/// A keyed create runs once: a repeat answers the record as first created, the key with
/// another request is refused, and keys of other subjects, other kinds or expired ones do not
/// collide.
pub async fn idempotent_creates_run_once(store: &dyn Store) {
    let alice = by("auth0|alice");
    let first_key = key("order-1", "title=Once", &alice);
    let first = store
        .create_movie(new_movie("Once", &[]), &alice, Some(&first_key))
        .await
        .expect("create");
    assert!(!first.replayed);
    plain(store)
        .update_movie(first.record.id, patch_title("Changed since"))
        .await
        .expect("update");

    let again = by("auth0|alice");
    let repeat = store
        .create_movie(
            new_movie("Once", &[]),
            &again,
            Some(&key("order-1", "title=Once", &again)),
        )
        .await
        .expect("repeat");
    assert_eq!(
        repeat,
        Created {
            record: first.record.clone(),
            replayed: true
        },
        "the answer as first given"
    );
    assert_eq!(movie_total(store).await, 1);

    let reused = store
        .create_movie(
            new_movie("Twice", &[]),
            &again,
            Some(&key("order-1", "title=Twice", &again)),
        )
        .await;
    assert!(
        matches!(reused, Err(StoreError::IdempotencyKeyReused)),
        "{reused:?}"
    );
    assert_eq!(movie_total(store).await, 1);

    let bob = by("auth0|bob");
    let theirs = store
        .create_movie(
            new_movie("Once", &[]),
            &bob,
            Some(&key("order-1", "title=Once", &bob)),
        )
        .await
        .expect("another subject's key");
    assert!(!theirs.replayed);
    assert_ne!(theirs.record.id, first.record.id);
    let actor = store
        .create_actor(
            new_actor("Once", &[]),
            &alice,
            Some(&key("order-1", "name=Once", &alice)),
        )
        .await
        .expect("another kind's key");
    assert!(!actor.replayed);
    let actor_again = store
        .create_actor(
            new_actor("Once", &[]),
            &alice,
            Some(&key("order-1", "name=Once", &alice)),
        )
        .await
        .expect("repeat");
    assert!(actor_again.replayed);
    assert_eq!(actor_again.record, actor.record);
    assert_eq!(movie_total(store).await, 2);
    assert_eq!(actor_total(store).await, 1);

    let later = by("auth0|alice").at(alice.at + TimeDelta::hours(25));
    let expired = store
        .create_movie(
            new_movie("Once", &[]),
            &later,
            Some(&key("order-1", "title=Once", &later)),
        )
        .await
        .expect("an expired key is forgotten");
    assert!(!expired.replayed);
    assert_eq!(movie_total(store).await, 3);

    let failed = store
        .create_movie(
            new_movie("Broken", &[ActorId(9_999)]),
            &alice,
            Some(&key("order-2", "x", &alice)),
        )
        .await;
    assert_unknown(failed, ResourceKind::Actor, &[9_999], "unknown cast");
    let retried = store
        .create_movie(
            new_movie("Fixed", &[]),
            &alice,
            Some(&key("order-2", "y", &alice)),
        )
        .await
        .expect("a failed create keeps no key");
    assert!(!retried.replayed);
}

/// Duplicates of one keyed create sent at once make one record: each answer is that record,
/// or "still in progress".
pub async fn concurrent_duplicate_creates_make_one(store: &dyn Store) {
    let results = join_all((0..8).map(|_| async move {
        let edit = by("auth0|retrier");
        let key = key("dup-1", "title=Dup", &edit);
        store
            .create_movie(new_movie("Dup", &[]), &edit, Some(&key))
            .await
    }))
    .await;
    assert_eq!(movie_total(store).await, 1, "{results:?}");
    let ids: BTreeSet<MovieId> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|c| c.record.id))
        .collect();
    assert_eq!(ids.len(), 1, "{results:?}");
    assert_eq!(
        results
            .iter()
            .filter(|r| matches!(r, Ok(c) if !c.replayed))
            .count(),
        1,
        "{results:?}"
    );
    for result in &results {
        assert!(
            matches!(result, Ok(_) | Err(StoreError::RequestInProgress)),
            "{result:?}"
        );
    }
}
