//! Checks of the cast: the many-to-many relation between movies and actors.

use super::*;

/// A link made from one side shows on the other; relation ids come back ascending.
pub async fn relation_visible_from_both_sides_sorted(store: &dyn Store) {
    let a1 = add_actor(store, "A1", &[]).await.id;
    let a2 = add_actor(store, "A2", &[]).await.id;
    let a3 = add_actor(store, "A3", &[]).await.id;

    let movie = add_movie(store, "Ensemble", &[a3, a1]).await;
    assert_eq!(movie.actors, [a1, a3], "cast is sorted ascending");
    assert_eq!(
        store.get_movie(movie.id).await.expect("get").actors,
        [a1, a3]
    );
    assert_eq!(store.get_actor(a1).await.expect("get").movies, [movie.id]);
    assert_eq!(store.get_actor(a3).await.expect("get").movies, [movie.id]);
    assert!(store.get_actor(a2).await.expect("get").movies.is_empty());

    let m2 = add_movie(store, "Second", &[]).await.id;
    let m3 = add_movie(store, "Third", &[]).await.id;
    let actor = add_actor(store, "Busy", &[m3, movie.id, m2]).await;
    assert_eq!(
        actor.movies,
        [movie.id, m2, m3],
        "movies are sorted ascending"
    );
    let movie = store.get_movie(movie.id).await.expect("get");
    assert_eq!(movie.actors, [a1, a3, actor.id]);
    assert_eq!(store.get_movie(m2).await.expect("get").actors, [actor.id]);
    assert_links_consistent(store, &[movie.id, m2, m3], &[a1, a2, a3, actor.id]).await;
}

/// The same id twice in a relation list is one link.
pub async fn repeated_relation_ids_are_stored_once(store: &dyn Store) {
    let a = add_actor(store, "A", &[]).await.id;
    let movie = add_movie(store, "Twice", &[a, a]).await;
    assert_eq!(movie.actors, [a]);
    let movie = plain(store)
        .update_movie(
            movie.id,
            MoviePatch {
                actors: Some(vec![a, a, a]),
                ..MoviePatch::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(movie.actors, [a]);
    let actor = add_actor(store, "B", &[movie.id, movie.id]).await;
    assert_eq!(actor.movies, [movie.id]);
    assert_eq!(store.get_actor(a).await.expect("get").movies, [movie.id]);
}

/// A relation list in a patch replaces the whole relation, on both sides; an empty list empties
/// it.
pub async fn replacing_a_relation(store: &dyn Store) {
    let a1 = add_actor(store, "A1", &[]).await.id;
    let a2 = add_actor(store, "A2", &[]).await.id;
    let a3 = add_actor(store, "A3", &[]).await.id;
    let movie = add_movie(store, "Recast", &[a1, a2]).await.id;

    let recast = plain(store)
        .update_movie(
            movie,
            MoviePatch {
                actors: Some(vec![a3, a2]),
                ..MoviePatch::default()
            },
        )
        .await
        .expect("recast");
    assert_eq!(recast.actors, [a2, a3]);
    assert!(store.get_actor(a1).await.expect("get").movies.is_empty());
    assert_eq!(store.get_actor(a3).await.expect("get").movies, [movie]);

    let m2 = add_movie(store, "Other", &[]).await.id;
    let actor = plain(store)
        .update_actor(a1, patch_movies(&[m2, movie]))
        .await
        .expect("actor side");
    assert_eq!(actor.movies, [movie, m2]);
    assert_eq!(
        store.get_movie(movie).await.expect("get").actors,
        [a1, a2, a3]
    );

    let emptied = plain(store)
        .update_movie(
            movie,
            MoviePatch {
                actors: Some(vec![]),
                ..MoviePatch::default()
            },
        )
        .await
        .expect("empty cast");
    assert!(emptied.actors.is_empty());
    assert_eq!(store.get_actor(a1).await.expect("get").movies, [m2]);
    assert_links_consistent(store, &[movie, m2], &[a1, a2, a3]).await;
}

/// Creating with relation ids that do not exist fails naming them, and writes nothing.
pub async fn unknown_relations_on_create_change_nothing(store: &dyn Store) {
    let actor = add_actor(store, "Real", &[]).await;
    let movie = add_movie(store, "Real", &[]).await;
    let a = actor.id.get();
    let m = movie.id.get();

    assert_unknown(
        plain(store)
            .create_movie(new_movie(
                "Ghost cast",
                &[ActorId(a + 900), actor.id, ActorId(a + 800)],
            ))
            .await,
        ResourceKind::Actor,
        &[a + 800, a + 900],
        "create_movie",
    );
    assert_unknown(
        plain(store)
            .create_actor(new_actor("Ghost roles", &[movie.id, MovieId(m + 7)]))
            .await,
        ResourceKind::Movie,
        &[m + 7],
        "create_actor",
    );
    assert_eq!(movie_total(store).await, 1);
    assert_eq!(actor_total(store).await, 1);
    assert_eq!(store.get_actor(actor.id).await.expect("get"), actor);
    assert_eq!(store.get_movie(movie.id).await.expect("get"), movie);
}

/// Updating with relation ids that do not exist fails naming them, and no field changes, not
/// even the ones the patch also held.
pub async fn unknown_relations_on_update_change_nothing(store: &dyn Store) {
    let a1 = add_actor(store, "A1", &[]).await;
    let movie = add_movie(store, "Before", &[a1.id]).await;
    let missing = a1.id.get() + 500;

    assert_unknown(
        plain(store)
            .update_movie(
                movie.id,
                MoviePatch {
                    title: Some(title("After")),
                    actors: Some(vec![ActorId(missing)]),
                    ..MoviePatch::default()
                },
            )
            .await,
        ResourceKind::Actor,
        &[missing],
        "update_movie",
    );
    assert_eq!(store.get_movie(movie.id).await.expect("get"), movie);
    assert_eq!(
        store.get_actor(a1.id).await.expect("get").movies,
        [movie.id]
    );

    let missing_movie = movie.id.get() + 500;
    assert_unknown(
        plain(store)
            .update_actor(
                a1.id,
                ActorPatch {
                    name: Some(name("Renamed")),
                    movies: Some(vec![MovieId(missing_movie), movie.id]),
                    ..ActorPatch::default()
                },
            )
            .await,
        ResourceKind::Movie,
        &[missing_movie],
        "update_actor",
    );
    let actor = store.get_actor(a1.id).await.expect("get");
    assert_eq!(actor.name.as_str(), "A1");
    assert_eq!(actor.movies, [movie.id]);
}

/// Deleting a movie removes its links and keeps its actors.
pub async fn delete_movie_unlinks_and_keeps_actors(store: &dyn Store) {
    let a1 = add_actor(store, "A1", &[]).await.id;
    let a2 = add_actor(store, "A2", &[]).await.id;
    let doomed = add_movie(store, "Doomed", &[a1, a2]).await.id;
    let kept = add_movie(store, "Kept", &[a1]).await.id;

    plain(store).delete_movie(doomed).await.expect("delete");
    assert_eq!(store.get_actor(a1).await.expect("get").movies, [kept]);
    assert!(store.get_actor(a2).await.expect("get").movies.is_empty());
    assert_eq!(actor_total(store).await, 2);
    assert_eq!(store.get_movie(kept).await.expect("get").actors, [a1]);
}

/// Deleting an actor removes their links and keeps their movies.
pub async fn delete_actor_unlinks_and_keeps_movies(store: &dyn Store) {
    let m1 = add_movie(store, "M1", &[]).await.id;
    let m2 = add_movie(store, "M2", &[]).await.id;
    let doomed = add_actor(store, "Doomed", &[m1, m2]).await.id;
    let kept = add_actor(store, "Kept", &[m2]).await.id;

    plain(store).delete_actor(doomed).await.expect("delete");
    assert!(store.get_movie(m1).await.expect("get").actors.is_empty());
    assert_eq!(store.get_movie(m2).await.expect("get").actors, [kept]);
    assert_eq!(movie_total(store).await, 2);
}

/// Concurrent replacements of one movie's cast end in exactly one of the submitted casts, seen
/// the same from both sides.
pub async fn concurrent_cast_replacements_end_in_one_cast(store: &dyn Store) {
    let mut actors = Vec::new();
    for i in 0..8 {
        actors.push(add_actor(store, &format!("Actor {i}"), &[]).await.id);
    }
    let movie = add_movie(store, "Contested", &actors[..2]).await.id;
    // Twenty different casts, each of three actors, overlapping.
    let casts: Vec<Vec<ActorId>> = (0..20)
        .map(|i| {
            let mut cast = vec![actors[i % 8], actors[(i + 3) % 8], actors[(i * 5 + 1) % 8]];
            cast.sort_unstable();
            cast.dedup();
            cast
        })
        .collect();

    let results = join_all(casts.iter().map(|cast| {
        plain(store).update_movie(
            movie,
            MoviePatch {
                actors: Some(cast.clone()),
                ..MoviePatch::default()
            },
        )
    }))
    .await;
    for result in results {
        result.expect("every concurrent replacement succeeds");
    }

    let final_cast = store.get_movie(movie).await.expect("get").actors;
    assert!(
        casts.contains(&final_cast),
        "final cast {final_cast:?} is none of the submitted casts"
    );
    assert_links_consistent(store, &[movie], &actors).await;
}

/// Concurrent replacements of one actor's movies end in exactly one of the submitted lists.
pub async fn concurrent_role_replacements_end_in_one_list(store: &dyn Store) {
    let mut movies = Vec::new();
    for i in 0..6 {
        movies.push(add_movie(store, &format!("Movie {i}"), &[]).await.id);
    }
    let actor = add_actor(store, "Contested", &movies[..1]).await.id;
    let lists: Vec<Vec<MovieId>> = (0..16)
        .map(|i| {
            let mut list = vec![movies[i % 6], movies[(i + 2) % 6]];
            list.sort_unstable();
            list
        })
        .collect();
    let results = join_all(
        lists
            .iter()
            .map(|list| plain(store).update_actor(actor, patch_movies(list))),
    )
    .await;
    for result in results {
        result.expect("every concurrent replacement succeeds");
    }
    let final_list = store.get_actor(actor).await.expect("get").movies;
    assert!(
        lists.contains(&final_list),
        "final list {final_list:?} is none of the submitted lists"
    );
    assert_links_consistent(store, &movies, &[actor]).await;
}

/// Movie-side and actor-side edits of the same links, at once and over several rounds, all
/// succeed (no deadlock) and leave the relation the same from both sides.
pub async fn concurrent_edits_from_both_sides_stay_consistent(store: &dyn Store) {
    let mut movies = Vec::new();
    let mut actors = Vec::new();
    for i in 0..4 {
        movies.push(add_movie(store, &format!("Movie {i}"), &[]).await.id);
        actors.push(add_actor(store, &format!("Actor {i}"), &[]).await.id);
    }
    for round in 0..3 {
        let movie_side = (0..16).map(|i| {
            let movie = movies[(i + round) % 4];
            let cast = vec![actors[i % 4], actors[(i + 1) % 4], actors[(i + 3) % 4]];
            plain(store).update_movie(
                movie,
                MoviePatch {
                    actors: Some(cast),
                    ..MoviePatch::default()
                },
            )
        });
        let actor_side = (0..16).map(|i| {
            let actor = actors[(i + round) % 4];
            let roles = vec![movies[(i + 2) % 4], movies[(i + 3) % 4], movies[i % 4]];
            plain(store).update_actor(actor, patch_movies(&roles))
        });
        let (movie_results, actor_results) =
            futures_util::future::join(join_all(movie_side), join_all(actor_side)).await;
        for result in movie_results {
            result.expect("movie-side edit succeeds");
        }
        for result in actor_results {
            result.expect("actor-side edit succeeds");
        }
        assert_links_consistent(store, &movies, &actors).await;
    }
}
