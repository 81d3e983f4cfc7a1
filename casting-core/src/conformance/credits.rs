//! Checks of credits: characters and billing on the cast.

use super::*;
use crate::credit::{Billing, CastInput, CastMember, CreditInput, NewCast};
use crate::domain::Character;

pub(super) fn cast_of(credits: &[(ActorId, Option<&str>, Option<i64>)]) -> NewCast {
    CastInput {
        cast: credits
            .iter()
            .map(|(actor, character, billing)| CreditInput {
                actor: *actor,
                character: character.map(Into::into),
                billing: *billing,
            })
            .collect(),
    }
    .validate()
    .expect("a valid cast")
}

/// (actor, character, billing) of each member, in the order given.
pub(super) fn summary(cast: &[CastMember]) -> Vec<(ActorId, Option<String>, i64)> {
    cast.iter()
        .map(|m| {
            (
                m.actor.id,
                m.character.as_ref().map(|c| c.as_str().to_owned()),
                m.billing.get(),
            )
        })
        .collect()
}

fn own(character: &str) -> Option<String> {
    Some(character.to_owned())
}

/// A replaced cast is stored as given, listed by billing; the id lists of both sides agree
/// with it; an actor's credits list newest release first; an empty cast is empty.
pub async fn cast_replacement_stores_credits_in_billing_order(store: &dyn Store) {
    let ripley = add_actor(store, "Sigourney Weaver", &[]).await.id;
    let hicks = add_actor(store, "Michael Biehn", &[]).await.id;
    let newt = add_actor(store, "Carrie Henn", &[]).await.id;
    // Released 2025-02-08, like every `add_movie`.
    let aliens = add_movie(store, "Aliens", &[]).await.id;

    let stored = plain(store)
        .replace_cast(
            aliens,
            cast_of(&[
                (newt, Some(" Newt "), None),
                (ripley, Some("Ellen Ripley"), Some(1)),
                (hicks, None, Some(3)),
            ]),
        )
        .await
        .expect("replace_cast");
    let expected = vec![
        (ripley, own("Ellen Ripley"), 1),
        (hicks, None, 3),
        (newt, own("Newt"), 4),
    ];
    assert_eq!(summary(&stored), expected);
    assert_eq!(
        summary(&plain(store).get_cast(aliens).await.expect("get_cast")),
        expected
    );
    assert_eq!(stored[0].actor.name.as_str(), "Sigourney Weaver");
    let mut ids = vec![ripley, hicks, newt];
    ids.sort();
    assert_eq!(store.get_movie(aliens).await.expect("get").actors, ids);
    assert_links_consistent(store, &[aliens], &ids).await;

    let alien = plain(store)
        .create_movie(NewMovie::new(title("Alien"), date("1979-05-25")))
        .await
        .expect("create")
        .id;
    let avatar = plain(store)
        .create_movie(NewMovie::new(title("Avatar"), date("2009-12-18")))
        .await
        .expect("create")
        .id;
    let same_day = plain(store)
        .create_movie(NewMovie::new(title("Avatar Again"), date("2009-12-18")))
        .await
        .expect("create")
        .id;
    for (movie, character) in [(alien, "Ripley"), (avatar, "Grace"), (same_day, "Grace 2")] {
        plain(store)
            .replace_cast(movie, cast_of(&[(ripley, Some(character), Some(2))]))
            .await
            .expect("replace_cast");
    }
    let credits = store.get_credits(ripley).await.expect("get_credits");
    let listed: Vec<(MovieId, Option<&str>, i64)> = credits
        .iter()
        .map(|c| {
            (
                c.movie.id,
                c.character.as_ref().map(Character::as_str),
                c.billing.get(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (aliens, Some("Ellen Ripley"), 1),
            (same_day, Some("Grace 2"), 2),
            (avatar, Some("Grace"), 2),
            (alien, Some("Ripley"), 2),
        ],
        "newest release first, then the higher movie id"
    );
    assert_eq!(credits[3].movie.title.as_str(), "Alien");

    let emptied = plain(store)
        .replace_cast(aliens, NewCast::default())
        .await
        .expect("replace_cast");
    assert!(emptied.is_empty());
    assert!(
        store
            .get_movie(aliens)
            .await
            .expect("get")
            .actors
            .is_empty()
    );
    assert!(store.get_credits(newt).await.expect("credits").is_empty());
    assert_not_found(
        plain(store).get_cast(MovieId(9_999_999)).await,
        ResourceKind::Movie,
        9_999_999,
        "get_cast",
    );
    assert_not_found(
        store.get_credits(ActorId(9_999_999)).await,
        ResourceKind::Actor,
        9_999_999,
        "get_credits",
    );
}

/// A cast naming actors that do not exist, or a missing movie, changes nothing.
pub async fn unknown_ids_in_a_cast_change_nothing(store: &dyn Store) {
    let ripley = add_actor(store, "Ripley", &[]).await.id;
    let movie = add_movie(store, "Aliens", &[]).await.id;
    plain(store)
        .replace_cast(movie, cast_of(&[(ripley, Some("Ellen"), Some(5))]))
        .await
        .expect("replace_cast");
    let before = plain(store).get_cast(movie).await.expect("get_cast");
    let result = plain(store)
        .replace_cast(
            movie,
            cast_of(&[
                (ActorId(9_999_998), None, None),
                (ripley, Some("Other"), Some(1)),
                (ActorId(9_999_999), None, None),
            ]),
        )
        .await;
    assert_unknown(
        result,
        ResourceKind::Actor,
        &[9_999_998, 9_999_999],
        "replace_cast",
    );
    assert_eq!(
        plain(store).get_cast(movie).await.expect("get_cast"),
        before
    );
    assert_not_found(
        plain(store)
            .replace_cast(MovieId(9_999_999), cast_of(&[(ripley, None, None)]))
            .await,
        ResourceKind::Movie,
        9_999_999,
        "replace_cast",
    );
    assert_eq!(store.get_credits(ripley).await.expect("credits").len(), 1);
}

/// Setting a cast through id lists keeps the credits of the links that stay and bills new
/// links after the rest, from either side; creates bill in ascending id order.
pub async fn id_lists_keep_credits_and_bill_new_links_last(store: &dyn Store) {
    let a = add_actor(store, "A", &[]).await.id;
    let b = add_actor(store, "B", &[]).await.id;
    let c = add_actor(store, "C", &[]).await.id;
    let d = add_actor(store, "D", &[]).await.id;
    let created = add_movie(store, "Created", &[c, a, b]).await.id;
    assert_eq!(
        summary(&plain(store).get_cast(created).await.expect("get_cast")),
        [(a, None, 1), (b, None, 2), (c, None, 3)],
        "a create bills its actors in ascending id order"
    );

    let movie = add_movie(store, "Edited", &[]).await.id;
    plain(store)
        .replace_cast(
            movie,
            cast_of(&[(a, Some("Hero"), Some(2)), (b, Some("Villain"), Some(5))]),
        )
        .await
        .expect("replace_cast");
    plain(store)
        .update_movie(
            movie,
            MoviePatch {
                actors: Some(vec![d, a, c]),
                ..MoviePatch::default()
            },
        )
        .await
        .expect("update_movie");
    assert_eq!(
        summary(&plain(store).get_cast(movie).await.expect("get_cast")),
        [(a, own("Hero"), 2), (c, None, 3), (d, None, 4)],
        "the actor who stays keeps the credit; new ones come after the rest"
    );

    plain(store)
        .update_actor(b, patch_movies(&[movie]))
        .await
        .expect("update_actor");
    plain(store)
        .update_actor(a, patch_movies(&[movie, created]))
        .await
        .expect("update_actor");
    assert_eq!(
        summary(&plain(store).get_cast(movie).await.expect("get_cast")),
        [
            (a, own("Hero"), 2),
            (c, None, 3),
            (d, None, 4),
            (b, None, 5)
        ]
    );
    let late = add_actor(store, "Late", &[movie, created]).await.id;
    assert_eq!(
        summary(&plain(store).get_cast(movie).await.expect("get_cast")).last(),
        Some(&(late, None, 6))
    );
    assert_eq!(
        summary(&plain(store).get_cast(created).await.expect("get_cast")).last(),
        Some(&(late, None, 4))
    );
    plain(store)
        .update_actor(a, patch_movies(&[created]))
        .await
        .expect("update_actor");
    assert_eq!(
        summary(&plain(store).get_cast(movie).await.expect("get_cast")),
        [(c, None, 3), (d, None, 4), (b, None, 5), (late, None, 6)]
    );
    assert_links_consistent(store, &[movie, created], &[a, b, c, d, late]).await;
}

/// Deleting an actor removes their credits from every cast; deleting a movie removes its
/// credits from every filmography.
pub async fn deletes_remove_credits(store: &dyn Store) {
    let a = add_actor(store, "A", &[]).await.id;
    let b = add_actor(store, "B", &[]).await.id;
    let one = add_movie(store, "One", &[]).await.id;
    let two = add_movie(store, "Two", &[]).await.id;
    for movie in [one, two] {
        plain(store)
            .replace_cast(
                movie,
                cast_of(&[(a, Some("Lead"), Some(1)), (b, Some("Foil"), Some(2))]),
            )
            .await
            .expect("replace_cast");
    }
    plain(store).delete_actor(a).await.expect("delete_actor");
    assert_eq!(
        summary(&plain(store).get_cast(one).await.expect("get_cast")),
        [(b, own("Foil"), 2)]
    );
    plain(store).delete_movie(one).await.expect("delete_movie");
    let credits = store.get_credits(b).await.expect("get_credits");
    assert_eq!(credits.len(), 1);
    assert_eq!(credits[0].movie.id, two);
    // A new actor after the deletes is billed after what is left.
    let c = add_actor(store, "C", &[two]).await.id;
    assert_eq!(
        summary(&plain(store).get_cast(two).await.expect("get_cast")),
        [(b, own("Foil"), 2), (c, None, 3)]
    );
}

/// Concurrent replacements of one cast end in exactly one of the casts sent, whole: its
/// actors, characters and billing, on both sides.
pub async fn concurrent_cast_puts_end_in_one_whole_cast(store: &dyn Store) {
    let mut actors = Vec::new();
    for i in 0..6 {
        actors.push(add_actor(store, &format!("Actor {i}"), &[]).await.id);
    }
    let movie = add_movie(store, "Contested", &[]).await.id;
    let casts: Vec<NewCast> = (0..8)
        .map(|round| {
            let picked: Vec<(ActorId, Option<String>, Option<i64>)> = actors
                .iter()
                .enumerate()
                .filter(|(i, _)| (i + round) % 3 != 0)
                .map(|(i, actor)| {
                    (
                        *actor,
                        Some(format!("Role {round}-{i}")),
                        Some((round * 10 + i) as i64 + 1),
                    )
                })
                .collect();
            let borrowed: Vec<(ActorId, Option<&str>, Option<i64>)> = picked
                .iter()
                .map(|(a, c, b)| (*a, c.as_deref(), *b))
                .collect();
            cast_of(&borrowed)
        })
        .collect();
    let writes = casts
        .iter()
        .map(|cast| plain(store).replace_cast(movie, cast.clone()));
    for result in join_all(writes).await {
        result.expect("replace_cast");
    }
    let last = plain(store).get_cast(movie).await.expect("get_cast");
    let last: Vec<(ActorId, Option<String>, Billing)> = last
        .into_iter()
        .map(|m| (m.actor.id, m.character.map(String::from), m.billing))
        .collect();
    let matches = casts.iter().any(|cast| {
        let sent: Vec<(ActorId, Option<String>, Billing)> = cast
            .credits()
            .iter()
            .map(|c| (c.actor, c.character.clone().map(String::from), c.billing))
            .collect();
        sent == last
    });
    assert!(matches, "the cast is one of those sent, whole: {last:?}");
    assert_links_consistent(store, &[movie], &actors).await;
}
