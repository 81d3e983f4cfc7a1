//! Checks of single records: create, read, update, delete, not-found, ids.

use std::collections::BTreeSet;

use super::*;

/// A fresh store lists no movies and no actors, with a total of 0.
pub async fn empty_store_lists_nothing(store: &dyn Store) {
    let movies = store
        .list_movies(&ListQuery::default())
        .await
        .expect("list");
    assert!(movies.items.is_empty());
    assert_eq!(
        (movies.total, movies.page, movies.per_page),
        (Some(0), Some(1), 10)
    );
    let actors = store
        .list_actors(&ListQuery::default())
        .await
        .expect("list");
    assert!(actors.items.is_empty());
    assert_eq!(actors.total, Some(0));
}

/// A created movie comes back from create, get and list with the same fields.
pub async fn movie_create_get_list(store: &dyn Store) {
    let created = plain(store)
        .create_movie(NewMovie::new(title("Amélie"), date("25-04-2001")))
        .await
        .expect("create_movie");
    assert_eq!(created.title.as_str(), "Amélie");
    assert_eq!(created.release_date, date("2001-04-25"));
    assert!(created.actors.is_empty());
    assert!(created.id.get() > 0, "ids are positive");

    let fetched = store.get_movie(created.id).await.expect("get_movie");
    assert_eq!(fetched, created);

    let page = store
        .list_movies(&ListQuery::default())
        .await
        .expect("list");
    assert_eq!(page.total, Some(1));
    assert_eq!(page.items, [created.summary()]);
}

/// A created actor comes back from create, get and list with the same fields.
pub async fn actor_create_get_list(store: &dyn Store) {
    let created = plain(store)
        .create_actor(NewActor::new(
            name("Audrey Tautou"),
            age(150),
            Gender::Other,
        ))
        .await
        .expect("create_actor");
    assert_eq!(created.name.as_str(), "Audrey Tautou");
    assert_eq!(created.age, age(150));
    assert_eq!(created.gender, Gender::Other);
    assert!(created.movies.is_empty());

    let fetched = store.get_actor(created.id).await.expect("get_actor");
    assert_eq!(fetched, created);

    let page = store
        .list_actors(&ListQuery::default())
        .await
        .expect("list");
    assert_eq!(page.total, Some(1));
    assert_eq!(page.items, [created.summary()]);
}

/// A movie patch changes the fields it holds and leaves the rest, cast included.
pub async fn movie_partial_update(store: &dyn Store) {
    let actor = add_actor(store, "Lead", &[]).await;
    let movie = add_movie(store, "Draft", &[actor.id]).await;

    let renamed = plain(store)
        .update_movie(movie.id, patch_title("Final"))
        .await
        .expect("update title");
    assert_eq!(renamed.title.as_str(), "Final");
    assert_eq!(renamed.release_date, movie.release_date);
    assert_eq!(renamed.actors, [actor.id]);

    let redated = plain(store)
        .update_movie(
            movie.id,
            MoviePatch {
                release_date: Some(date("01-01-1999")),
                ..MoviePatch::default()
            },
        )
        .await
        .expect("update date");
    assert_eq!(redated.title.as_str(), "Final");
    assert_eq!(redated.release_date, date("1999-01-01"));
    assert_eq!(redated.actors, [actor.id]);

    assert_eq!(store.get_movie(movie.id).await.expect("get"), redated);
    let other = add_movie(store, "Other", &[]).await;
    assert_eq!(
        store.get_movie(other.id).await.expect("get").title.as_str(),
        "Other"
    );
}

/// An actor patch changes the fields it holds and leaves the rest, movies included.
pub async fn actor_partial_update(store: &dyn Store) {
    let movie = add_movie(store, "Film", &[]).await;
    let actor = add_actor(store, "Before", &[movie.id]).await;

    let changed = plain(store)
        .update_actor(
            actor.id,
            ActorPatch {
                age: Some(age(0)),
                gender: Some(Gender::Male),
                ..ActorPatch::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(changed.name.as_str(), "Before");
    assert_eq!(changed.age, age(0));
    assert_eq!(changed.gender, Gender::Male);
    assert_eq!(changed.movies, [movie.id]);

    let renamed = plain(store)
        .update_actor(
            actor.id,
            ActorPatch {
                name: Some(name("After")),
                ..ActorPatch::default()
            },
        )
        .await
        .expect("update name");
    assert_eq!(renamed.name.as_str(), "After");
    assert_eq!(renamed.age, age(0));
    assert_eq!(store.get_actor(actor.id).await.expect("get"), renamed);
}

/// Deleting a movie returns it as it was, cast included; then it is gone.
pub async fn movie_delete_returns_what_was_deleted(store: &dyn Store) {
    let actor = add_actor(store, "A", &[]).await;
    let movie = add_movie(store, "Gone", &[actor.id]).await;
    let keep = add_movie(store, "Kept", &[]).await;

    let deleted = plain(store).delete_movie(movie.id).await.expect("delete");
    assert_eq!(deleted, movie);
    assert_not_found(
        store.get_movie(movie.id).await,
        ResourceKind::Movie,
        movie.id.get(),
        "get",
    );
    assert_eq!(movie_ids(store, &ListQuery::default()).await, [keep.id]);
    assert_eq!(movie_total(store).await, 1);
}

/// Deleting an actor returns them as they were, movies included; then they are gone.
pub async fn actor_delete_returns_what_was_deleted(store: &dyn Store) {
    let movie = add_movie(store, "M", &[]).await;
    let actor = add_actor(store, "Gone", &[movie.id]).await;

    let deleted = plain(store).delete_actor(actor.id).await.expect("delete");
    assert_eq!(deleted, actor);
    assert_not_found(
        store.get_actor(actor.id).await,
        ResourceKind::Actor,
        actor.id.get(),
        "get",
    );
    assert_eq!(actor_total(store).await, 0);
}

/// Get, update and delete of an id that does not exist are `NotFound` and change nothing.
pub async fn not_found_on_get_update_delete(store: &dyn Store) {
    let movie = add_movie(store, "Exists", &[]).await;
    let actor = add_actor(store, "Exists", &[]).await;
    let missing = movie.id.get().max(actor.id.get()) + 1000;

    for id in [missing, 0, -1] {
        let (m, a) = (MovieId(id), ActorId(id));
        assert_not_found(
            store.get_movie(m).await,
            ResourceKind::Movie,
            id,
            "get_movie",
        );
        assert_not_found(
            plain(store).update_movie(m, patch_title("X")).await,
            ResourceKind::Movie,
            id,
            "update_movie",
        );
        assert_not_found(
            plain(store).delete_movie(m).await,
            ResourceKind::Movie,
            id,
            "delete_movie",
        );
        assert_not_found(
            store.get_actor(a).await,
            ResourceKind::Actor,
            id,
            "get_actor",
        );
        assert_not_found(
            plain(store).update_actor(a, patch_movies(&[])).await,
            ResourceKind::Actor,
            id,
            "update_actor",
        );
        assert_not_found(
            plain(store).delete_actor(a).await,
            ResourceKind::Actor,
            id,
            "delete_actor",
        );
    }
    // An update of a missing movie with unknown relation ids is still a NotFound.
    assert_not_found(
        plain(store)
            .update_movie(
                MovieId(missing),
                MoviePatch {
                    actors: Some(vec![ActorId(missing)]),
                    ..MoviePatch::default()
                },
            )
            .await,
        ResourceKind::Movie,
        missing,
        "update_movie with unknown actors",
    );
    assert_eq!(store.get_movie(movie.id).await.expect("get"), movie);
    assert_eq!(store.get_actor(actor.id).await.expect("get"), actor);
}

/// Ids only grow: a deleted record's id is never given again, for movies and for actors.
pub async fn ids_are_never_reused(store: &dyn Store) {
    let first = add_movie(store, "One", &[]).await.id;
    let second = add_movie(store, "Two", &[]).await.id;
    assert!(second > first);
    plain(store).delete_movie(second).await.expect("delete");
    let third = add_movie(store, "Three", &[]).await.id;
    assert!(
        third > second,
        "movie id {third} reused or went back (deleted {second})"
    );

    let a1 = add_actor(store, "One", &[]).await.id;
    plain(store).delete_actor(a1).await.expect("delete");
    let a2 = add_actor(store, "Two", &[]).await.id;
    assert!(a2 > a1, "actor id {a2} reused or went back (deleted {a1})");
}

/// 100 concurrent creates give 100 distinct ids, and all 100 are listed.
pub async fn concurrent_creates_get_distinct_ids(store: &dyn Store) {
    let created = join_all((0..100).map(|i| async move {
        plain(store)
            .create_movie(new_movie(&format!("Concurrent {i}"), &[]))
            .await
            .expect("concurrent create")
            .id
    }))
    .await;
    let distinct: BTreeSet<MovieId> = created.iter().copied().collect();
    assert_eq!(distinct.len(), 100, "ids were given twice: {created:?}");
    assert_eq!(movie_total(store).await, 100);
    let listed = movie_ids(store, &query(1, 100, None)).await;
    assert_eq!(listed, distinct.into_iter().collect::<Vec<_>>());
}
