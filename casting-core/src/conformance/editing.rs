//! Checks of safe concurrent editing: versions, expected versions, who and when.

use futures_util::future::join_all;

use super::*;
use crate::audit::{AuditEntry, AuditFilter, AuditQuery};
use crate::credit::{CastInput, CreditInput, NewCast};
use crate::revision::Version;

/// An edit by `subject`, now.
pub(super) fn by(subject: &str) -> Edit {
    Edit::now(subject)
}

fn expecting(subject: &str, version: i64) -> Edit {
    Edit::now(subject).expecting(Version::new(version))
}

async fn movie_version(store: &dyn Store, id: MovieId) -> i64 {
    store
        .get_movie(id)
        .await
        .expect("get_movie")
        .revision
        .version
        .get()
}

async fn actor_version(store: &dyn Store, id: ActorId) -> i64 {
    store
        .get_actor(id)
        .await
        .expect("get_actor")
        .revision
        .version
        .get()
}

fn one_credit(actor: ActorId, billing: i64) -> NewCast {
    CastInput {
        cast: vec![CreditInput {
            actor,
            character: None,
            billing: Some(billing),
        }],
    }
    .validate()
    .expect("a valid cast")
}

/// Every entry of the trail, newest first, as `query` filters it, walked by cursor two at a
/// time.
pub(super) async fn trail(store: &dyn Store, filter: AuditFilter) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    let mut query = AuditQuery::new(1, 2, None)
        .expect("a valid query")
        .with_filter(filter.clone());
    loop {
        let page = store.list_audit(&query).await.expect("list_audit");
        entries.extend(page.items);
        let Some(next) = page.next else {
            return entries;
        };
        query = AuditQuery::new(1, 2, None)
            .expect("a valid query")
            .with_filter(filter.clone())
            .after(&next)
            .expect("the store's own cursor");
    }
}

fn assert_precondition<T: std::fmt::Debug>(
    result: Result<T, StoreError>,
    kind: ResourceKind,
    id: i64,
    current: i64,
    what: &str,
) {
    match result {
        Err(StoreError::PreconditionFailed {
            kind: k,
            id: i,
            current: c,
        }) if k == kind && i == id && c.get() == current => {}
        other => panic!("{what}: expected PreconditionFailed at {current}, got {other:?}"),
    }
}

/// A record starts at version 1 stamped with its creator; every change of it, from either
/// side of the cast, adds one and names the editor; a credit change is the movie's alone.
pub async fn versions_count_every_change_from_both_sides(store: &dyn Store) {
    let alice = by("auth0|alice");
    let a = store
        .create_actor(new_actor("A", &[]), &alice, None)
        .await
        .expect("create")
        .record;
    assert_eq!(a.revision.version, Version::FIRST);
    assert_eq!(a.revision.created_by.as_deref(), Some("auth0|alice"));
    assert_eq!(a.revision.updated_by.as_deref(), Some("auth0|alice"));
    assert_eq!(a.revision.created_at, alice.at);
    assert_eq!(a.revision.updated_at, alice.at);
    let b = add_actor(store, "B", &[]).await.id;

    let bob = by("auth0|bob");
    let movie = store
        .create_movie(new_movie("Versions", &[a.id]), &bob, None)
        .await
        .expect("create")
        .record;
    assert_eq!(movie.revision.version, Version::FIRST);
    assert_eq!(store.get_movie(movie.id).await.expect("get"), movie);
    let joined = store.get_actor(a.id).await.expect("get").revision;
    assert_eq!(
        joined.version.get(),
        2,
        "joining a cast is a change of the actor"
    );
    assert_eq!(joined.created_by.as_deref(), Some("auth0|alice"));
    assert_eq!(joined.updated_by.as_deref(), Some("auth0|bob"));
    assert_eq!(joined.updated_at, bob.at);
    assert_eq!(actor_version(store, b).await, 1);

    let carol = by("auth0|carol");
    let changed = store
        .update_movie(movie.id, patch_title("Versions II"), &carol)
        .await
        .expect("update");
    assert_eq!(changed.revision.version.get(), 2);
    assert_eq!(changed.revision.created_by.as_deref(), Some("auth0|bob"));
    assert_eq!(changed.revision.created_at, movie.revision.created_at);
    assert_eq!(changed.revision.updated_by.as_deref(), Some("auth0|carol"));
    assert_eq!(changed.revision.updated_at, carol.at);
    assert_eq!(
        actor_version(store, a.id).await,
        2,
        "a title is the movie's own"
    );

    let recast = MoviePatch {
        actors: Some(vec![b]),
        ..MoviePatch::default()
    };
    store
        .update_movie(movie.id, recast, &by("auth0|bob"))
        .await
        .expect("update");
    assert_eq!(movie_version(store, movie.id).await, 3);
    assert_eq!(actor_version(store, a.id).await, 3, "leaving a cast");
    assert_eq!(actor_version(store, b).await, 2, "joining a cast");

    let cast = store
        .replace_cast(movie.id, one_credit(b, 7), &by("auth0|bob"))
        .await
        .expect("replace_cast");
    assert_eq!(
        cast.version.get(),
        4,
        "a credit change is a change of the movie"
    );
    assert_eq!(
        store.get_cast(movie.id).await.expect("cast").version.get(),
        4
    );
    assert_eq!(
        actor_version(store, b).await,
        2,
        "the actor's list of movies is the same"
    );
    let cast = store
        .replace_cast(movie.id, one_credit(a.id, 1), &by("auth0|bob"))
        .await
        .expect("replace_cast");
    assert_eq!(cast.version.get(), 5);
    assert_eq!(actor_version(store, a.id).await, 4);
    assert_eq!(actor_version(store, b).await, 3);

    let other = add_movie(store, "Other", &[]).await.id;
    store
        .update_actor(b, patch_movies(&[other]), &by("auth0|dan"))
        .await
        .expect("update");
    assert_eq!(actor_version(store, b).await, 4);
    assert_eq!(movie_version(store, other).await, 2, "gaining an actor");
    assert_eq!(
        movie_version(store, movie.id).await,
        5,
        "b was not in its cast"
    );

    let rename = ActorPatch {
        name: Some(name("A renamed")),
        ..ActorPatch::default()
    };
    store
        .update_actor(a.id, rename, &by("auth0|dan"))
        .await
        .expect("update");
    assert_eq!(actor_version(store, a.id).await, 5);
    assert_eq!(
        movie_version(store, movie.id).await,
        5,
        "a name is the actor's own"
    );

    let deleted = store
        .delete_movie(movie.id, &by("auth0|dan"))
        .await
        .expect("delete");
    assert_eq!(
        deleted.revision.version.get(),
        5,
        "a delete returns the movie as it was"
    );
    assert_eq!(actor_version(store, a.id).await, 6, "losing a movie");
    store
        .delete_actor(b, &by("auth0|dan"))
        .await
        .expect("delete");
    assert_eq!(movie_version(store, other).await, 3, "losing an actor");
}

/// A write expecting another version than the record's fails naming the current one, and
/// changes nothing; expecting the current one, it goes through. A missing record is
/// `NotFound`, whatever was expected.
pub async fn stale_versions_change_nothing(store: &dyn Store) {
    let a = add_actor(store, "A", &[]).await.id;
    let b = add_actor(store, "B", &[]).await.id;
    let movie = add_movie(store, "Stale", &[a]).await;
    plain(store)
        .update_movie(movie.id, patch_title("Fresh"))
        .await
        .expect("update");
    let before_movie = store.get_movie(movie.id).await.expect("get");
    let before_actor = store.get_actor(a).await.expect("get");
    let before_trail = trail(store, AuditFilter::default()).await;
    let kind = ResourceKind::Movie;

    let stale = expecting("auth0|late", 1);
    let recast = MoviePatch {
        title: Some(title("Overwritten")),
        actors: Some(vec![b]),
        ..MoviePatch::default()
    };
    assert_precondition(
        store.update_movie(movie.id, recast, &stale).await,
        kind,
        movie.id.get(),
        2,
        "update_movie",
    );
    assert_precondition(
        store.replace_cast(movie.id, one_credit(b, 1), &stale).await,
        kind,
        movie.id.get(),
        2,
        "replace_cast",
    );
    assert_precondition(
        store.delete_movie(movie.id, &stale).await,
        kind,
        movie.id.get(),
        2,
        "delete_movie",
    );
    let ahead = expecting("auth0|late", 9);
    assert_precondition(
        store.update_actor(a, patch_movies(&[]), &ahead).await,
        ResourceKind::Actor,
        a.get(),
        2,
        "update_actor",
    );
    assert_precondition(
        store.delete_actor(a, &ahead).await,
        ResourceKind::Actor,
        a.get(),
        2,
        "delete_actor",
    );
    assert_eq!(store.get_movie(movie.id).await.expect("get"), before_movie);
    assert_eq!(store.get_actor(a).await.expect("get"), before_actor);
    assert_eq!(actor_version(store, b).await, 1);
    assert_eq!(
        trail(store, AuditFilter::default()).await,
        before_trail,
        "a refused write leaves no trail"
    );

    let current = expecting("auth0|on-time", 2);
    let changed = store
        .update_movie(movie.id, patch_title("On time"), &current)
        .await
        .expect("the current version goes through");
    assert_eq!(changed.revision.version.get(), 3);
    let cast = store
        .replace_cast(movie.id, one_credit(b, 1), &expecting("auth0|on-time", 3))
        .await
        .expect("the current version goes through");
    assert_eq!(cast.version.get(), 4);
    store
        .delete_movie(movie.id, &expecting("auth0|on-time", 4))
        .await
        .expect("the current version goes through");

    assert_not_found(
        store
            .update_movie(movie.id, patch_title("Gone"), &expecting("x", 4))
            .await,
        kind,
        movie.id.get(),
        "update of a deleted movie",
    );
    assert_not_found(
        store.delete_actor(ActorId(9_999), &expecting("x", 1)).await,
        ResourceKind::Actor,
        9_999,
        "delete of a missing actor",
    );
}

/// Writers that all expect the same version race: exactly one wins, every other one is told
/// the version it lost to, and the record shows the winner's change.
pub async fn concurrent_writers_expecting_one_version_one_wins(store: &dyn Store) {
    let a = add_actor(store, "A", &[]).await.id;
    let movie = add_movie(store, "Race", &[a]).await.id;

    let titles: Vec<String> = (0..8).map(|i| format!("Race {i}")).collect();
    let results = join_all(titles.iter().map(|text| {
        let edit = expecting(text, 1);
        async move { store.update_movie(movie, patch_title(text), &edit).await }
    }))
    .await;
    let winners: Vec<&Movie> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one writer wins: {results:?}");
    for result in &results {
        match result {
            Ok(_) => {}
            Err(StoreError::PreconditionFailed { current, .. }) => assert_eq!(current.get(), 2),
            Err(other) => panic!("a loser is told the version it lost to, got {other:?}"),
        }
    }
    let stored = store.get_movie(movie).await.expect("get");
    assert_eq!(stored.title, winners[0].title);
    assert_eq!(stored.revision.version.get(), 2);

    let casts = join_all((1..=8).map(|billing| {
        let edit = expecting("auth0|caster", 2);
        async move {
            store
                .replace_cast(movie, one_credit(a, billing), &edit)
                .await
        }
    }))
    .await;
    assert_eq!(casts.iter().filter(|r| r.is_ok()).count(), 1, "{casts:?}");

    let results = join_all((0..8).map(|i| {
        let edit = expecting("auth0|ager", 2);
        let patch = ActorPatch {
            age: Some(age(20 + i)),
            movies: Some(vec![]),
            ..ActorPatch::default()
        };
        async move { store.update_actor(a, patch, &edit).await }
    }))
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(actor_version(store, a).await, 3);
    assert!(store.get_movie(movie).await.expect("get").actors.is_empty());
}

/// Movie writes that name one actor at the same moment give that actor one new version each,
/// every one in the trail with its own number: the actor's entries run from 1 without a gap
/// or a repeat, also after the actor's own writes and their delete; a tag read before any of
/// them is stale.
pub async fn concurrent_casts_naming_one_actor_count_each(store: &dyn Store) {
    let star = add_actor(store, "Star", &[]).await.id;
    let created = join_all((0..12).map(|i| async move {
        plain(store)
            .create_movie(new_movie(&format!("Film {i:02}"), &[star]))
            .await
            .expect("a create naming the star")
            .id
    }))
    .await;
    let actor = store.get_actor(star).await.expect("get_actor");
    assert_eq!(actor.revision.version.get(), 13, "one version per create");
    assert_eq!(actor.movies.len(), 12);

    let numbers = |entries: Vec<AuditEntry>| {
        let mut versions: Vec<i64> = entries.iter().map(|e| e.version.get()).collect();
        versions.sort_unstable();
        versions
    };
    let star_trail = AuditFilter::new(Some(ResourceKind::Actor), Some(star.get()), None);
    assert_eq!(
        numbers(trail(store, star_trail.clone()).await),
        (1..=13).collect::<Vec<_>>()
    );
    assert_precondition(
        store
            .update_actor(star, age_patch(41), &expecting("auth0|late", 1))
            .await,
        ResourceKind::Actor,
        star.get(),
        13,
        "a tag from before the casts",
    );
    let aged = store
        .update_actor(star, age_patch(41), &expecting("auth0|on-time", 13))
        .await
        .expect("the current tag goes through");
    assert_eq!(aged.revision.version.get(), 14);

    let empty = CastInput { cast: vec![] }
        .validate()
        .expect("an empty cast");
    let dropped = join_all(created.iter().take(6).map(|&movie| {
        let empty = empty.clone();
        async move { store.replace_cast(movie, empty, &by("auth0|dropper")).await }
    }))
    .await;
    assert!(dropped.iter().all(Result::is_ok), "{dropped:?}");
    assert_eq!(actor_version(store, star).await, 20);
    let gone = store
        .delete_actor(star, &expecting("auth0|on-time", 20))
        .await
        .expect("the current tag deletes");
    assert_eq!(gone.movies.len(), 6);
    assert_eq!(
        numbers(trail(store, star_trail).await),
        (1..=21).collect::<Vec<_>>()
    );
}

fn age_patch(years: i64) -> ActorPatch {
    ActorPatch {
        age: Some(age(years)),
        ..ActorPatch::default()
    }
}
