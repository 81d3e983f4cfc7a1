//! Checks that every write happens whole: a write that a store starts again under contention
//! leaves nothing of its earlier attempts behind.

use futures_util::future::join_all;

use super::editing::{by, trail};
use super::*;
use crate::audit::{AuditAction, AuditFilter};

/// Rounds of racing writes, and writes of each side per round.
const ROUNDS: usize = 4;
const PER_SIDE: usize = 8;

/// Actor PATCHes that relink the actor race movie-side writes that add and drop the same actor
/// on other movies. Every PATCH that succeeds leaves exactly one version step and one trail
/// entry under its subject, every refused one leaves none, the actor's version counts every
/// entry of its trail, and the stored age is the last successful PATCH's.
pub async fn racing_relinks_commit_whole_or_not_at_all(store: &dyn Store) {
    let movies = add_movies(store, 6).await;
    let star = add_actor(store, "Star", &[]).await.id;
    let other = add_actor(store, "Other", &[]).await.id;
    let mut outcomes = Vec::new();
    for round in 0..ROUNDS {
        let actor_side = (0..PER_SIDE).map(|i| {
            let subject = format!("auth0|patch-{round}-{i}");
            let years = i64::try_from(round * PER_SIDE + i).expect("small") + 18;
            let patch = ActorPatch {
                age: Some(age(years)),
                movies: Some(vec![movies[i % 2]]),
                ..ActorPatch::default()
            };
            async move {
                let edit = by(&subject);
                (subject, years, store.update_actor(star, patch, &edit).await)
            }
        });
        let movie_side = (0..PER_SIDE * 2).map(|i| {
            // Movies 2..6 gain and lose the star, so the star's links move under the PATCHes.
            let movie = movies[2 + (i + round) % 4];
            let cast = if i % 2 == 0 {
                vec![star, other]
            } else {
                vec![other]
            };
            let patch = MoviePatch {
                actors: Some(cast),
                ..MoviePatch::default()
            };
            let edit = by(&format!("auth0|movie-{round}-{i}"));
            async move { store.update_movie(movie, patch, &edit).await }
        });
        let (patched, moved) =
            futures_util::future::join(join_all(actor_side), join_all(movie_side)).await;
        for result in moved {
            result.expect("a movie-side cast change succeeds");
        }
        outcomes.extend(patched);
    }

    let entries = trail(
        store,
        AuditFilter::new(Some(ResourceKind::Actor), Some(star.get()), None),
    )
    .await;
    let mut last_success = None;
    for (subject, years, result) in &outcomes {
        let mine: Vec<_> = entries.iter().filter(|e| &e.subject == subject).collect();
        match result {
            Ok(actor) => {
                assert_eq!(
                    mine.len(),
                    1,
                    "a successful PATCH leaves exactly one trail entry: {subject} left {mine:?}"
                );
                assert_eq!(mine[0].action, AuditAction::Update);
                assert_eq!(
                    mine[0].version, actor.revision.version,
                    "the entry names the version the PATCH answered"
                );
                if last_success.is_none_or(|(id, _)| mine[0].id > id) {
                    last_success = Some((mine[0].id, *years));
                }
            }
            Err(StoreError::Unavailable(_)) => assert!(
                mine.is_empty(),
                "a refused PATCH leaves nothing behind: {subject} left {mine:?}"
            ),
            Err(other) => {
                panic!("{subject}: a relinking PATCH succeeds or is refused, got {other:?}")
            }
        }
    }
    let stored = store.get_actor(star).await.expect("get_actor");
    assert_eq!(
        stored.revision.version.get(),
        i64::try_from(entries.len()).expect("small"),
        "every version step of the actor has one trail entry, and no entry lacks its step"
    );
    let mut versions: Vec<i64> = entries.iter().map(|e| e.version.get()).collect();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(
        versions.len(),
        entries.len(),
        "no two entries name one version"
    );
    if let Some((_, years)) = last_success {
        assert_eq!(
            stored.age.get(),
            years,
            "the stored age is the last successful PATCH's"
        );
    }
    assert!(
        outcomes.iter().any(|(_, _, r)| r.is_ok()),
        "some PATCH succeeds"
    );
}
