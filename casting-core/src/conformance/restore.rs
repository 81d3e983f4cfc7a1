//! Checks of restores: a deleted record comes back whole, with the links that still can,
//! once.

use futures_util::future::join_all;

use super::credits::{cast_of, summary};
use super::editing::by;
use super::values::{entry, values};
use super::*;
use crate::audit::{AuditAction, DELETED_ACTOR_FIELDS, DELETED_MOVIE_FIELDS, FieldValue};
use crate::revision::Restored;

fn own(character: &str) -> Option<String> {
    Some(character.to_owned())
}

fn assert_exists<T: std::fmt::Debug>(result: Result<T, StoreError>, kind: ResourceKind, id: i64) {
    match result {
        Err(StoreError::AlreadyExists { kind: k, id: i }) if k == kind && i == id => {}
        other => panic!("expected AlreadyExists {kind} {id}, got {other:?}"),
    }
}

/// A deleted movie comes back with its id, fields, cast, characters and billing, at the
/// version after its delete's; its actors get a new version each; one `restore` entry names
/// every field, from nothing.
pub async fn a_deleted_movie_comes_back_whole(store: &dyn Store) {
    let a = add_actor(store, "Ann", &[]).await.id;
    let b = add_actor(store, "Bea", &[]).await.id;
    let movie = add_movie(store, "Gone", &[]).await;
    let cast = cast_of(&[(b, Some("Ripley"), Some(1)), (a, Some("Ash"), Some(4))]);
    plain(store)
        .replace_cast(movie.id, cast)
        .await
        .expect("cast");
    let before = store.get_movie(movie.id).await.expect("get");
    let credits = plain(store).get_cast(movie.id).await.expect("cast");
    let a_version = store.get_actor(a).await.expect("get").revision.version;
    plain(store).delete_movie(movie.id).await.expect("delete");
    assert_not_found(
        store.get_movie(movie.id).await,
        ResourceKind::Movie,
        movie.id.get(),
        "gone",
    );

    let carol = by("auth0|carol");
    let Restored { record, left_out } = store
        .restore_movie(movie.id, &carol)
        .await
        .expect("restore");
    assert!(left_out.is_empty(), "{left_out:?}");
    assert_eq!(record.id, movie.id);
    assert_eq!(
        (&record.title, record.release_date),
        (&before.title, before.release_date)
    );
    assert_eq!(record.actors, before.actors);
    // Created at 1, recast at 2, deleted at 3: restored at 4.
    assert_eq!(
        record.revision.version.get(),
        before.revision.version.get() + 2
    );
    assert_eq!(record.revision.updated_by.as_deref(), Some("auth0|carol"));
    assert_eq!(store.get_movie(movie.id).await.expect("get"), record);
    let restored = plain(store).get_cast(movie.id).await.expect("cast");
    assert_eq!(summary(&restored), summary(&credits));
    assert_eq!(
        summary(&restored),
        [(b, own("Ripley"), 1), (a, own("Ash"), 4)],
        "the cast with its characters and billing"
    );
    let ann = store.get_actor(a).await.expect("get");
    assert_eq!(ann.movies, [movie.id]);
    assert_eq!(
        ann.revision.version.get(),
        a_version.get() + 2,
        "left, then back"
    );

    let entry = entry(store, ResourceKind::Movie, movie.id.get(), 4).await;
    assert_eq!(entry.action, AuditAction::Restore);
    assert_eq!(entry.subject, "auth0|carol");
    assert_eq!(entry.fields, DELETED_MOVIE_FIELDS);
    assert_eq!(
        values(&entry, "title"),
        (None, Some(FieldValue::Text("Gone".into())))
    );
    let back = entry.changes.get("cast").and_then(|c| c.to.clone());
    assert!(
        matches!(back, Some(FieldValue::Cast(ref c)) if c.len() == 2),
        "{back:?}"
    );
}

/// A deleted actor comes back with their credit in each movie: at the billing they had, or
/// after the movie's current cast when another actor took that position since.
pub async fn a_deleted_actor_comes_back_with_credits(store: &dyn Store) {
    let first = add_movie(store, "First", &[]).await.id;
    let second = add_movie(store, "Second", &[]).await.id;
    let (a, x, y) = (
        add_actor(store, "Ann", &[]).await.id,
        add_actor(store, "Xia", &[]).await.id,
        add_actor(store, "Yan", &[]).await.id,
    );
    let hero = cast_of(&[(a, Some("Hero"), Some(1))]);
    plain(store).replace_cast(first, hero).await.expect("cast");
    let sidekick = cast_of(&[(x, None, Some(1)), (a, Some("Sidekick"), Some(2))]);
    plain(store)
        .replace_cast(second, sidekick)
        .await
        .expect("cast");
    let version = plain(store)
        .delete_actor(a)
        .await
        .expect("delete")
        .revision
        .version;
    // Position 2 of the second movie is taken while the actor is gone.
    let taken = cast_of(&[(x, None, Some(1)), (y, Some("Stand-in"), Some(2))]);
    plain(store)
        .replace_cast(second, taken)
        .await
        .expect("cast");

    let restored = store
        .restore_actor(a, &by("auth0|carol"))
        .await
        .expect("restore");
    assert!(restored.left_out.is_empty());
    let actor = restored.record;
    assert_eq!((actor.id, actor.name.as_str()), (a, "Ann"));
    assert_eq!(actor.movies, [first, second]);
    assert_eq!(actor.revision.version.get(), version.get() + 2);
    assert_eq!(store.get_actor(a).await.expect("get"), actor);
    let first_cast = plain(store).get_cast(first).await.expect("cast");
    assert_eq!(summary(&first_cast), [(a, own("Hero"), 1)]);
    let second_cast = plain(store).get_cast(second).await.expect("cast");
    assert_eq!(
        summary(&second_cast),
        [
            (x, None, 1),
            (y, own("Stand-in"), 2),
            (a, own("Sidekick"), 3)
        ],
        "billed after the current cast"
    );
    let entry = entry(store, ResourceKind::Actor, a.get(), version.get() + 2).await;
    assert_eq!(
        (entry.action, entry.fields.clone()),
        (
            AuditAction::Restore,
            DELETED_ACTOR_FIELDS.map(String::from).to_vec()
        )
    );
    let ids = vec![first.get(), second.get()];
    assert_eq!(values(&entry, "movies"), (None, Some(FieldValue::Ids(ids))));
    assert_links_consistent(store, &[first, second], &[a, x, y]).await;
}

/// Links to records deleted since the delete stay out, and the restore says which.
pub async fn restore_leaves_out_what_was_deleted_since(store: &dyn Store) {
    let a = add_actor(store, "Ann", &[]).await.id;
    let b = add_actor(store, "Bea", &[]).await.id;
    let movie = add_movie(store, "Gone", &[a, b]).await.id;
    let kept = add_movie(store, "Kept", &[b]).await.id;
    plain(store).delete_movie(movie).await.expect("delete");
    plain(store).delete_actor(a).await.expect("delete");

    let back = store.restore_movie(movie, &by("s")).await.expect("restore");
    assert_eq!(back.record.actors, [b]);
    assert_eq!(back.left_out, [a.get()]);

    plain(store).delete_actor(b).await.expect("delete");
    plain(store).delete_movie(movie).await.expect("delete");
    let back = store.restore_actor(b, &by("s")).await.expect("restore");
    assert_eq!(back.record.movies, [kept]);
    assert_eq!(back.left_out, [movie.get()]);
    assert_links_consistent(store, &[kept], &[b]).await;
}

/// A record that exists cannot be restored, nor an id never deleted; a record restored and
/// deleted again comes back again, and its versions never repeat.
pub async fn restore_twice_and_unknown_ids(store: &dyn Store) {
    let movie = add_movie(store, "Twice", &[]).await.id;
    assert_exists(
        store.restore_movie(movie, &by("s")).await,
        ResourceKind::Movie,
        movie.get(),
    );
    assert_not_found(
        store.restore_movie(MovieId(999), &by("s")).await,
        ResourceKind::Movie,
        999,
        "never",
    );
    assert_not_found(
        store.restore_actor(ActorId(999), &by("s")).await,
        ResourceKind::Actor,
        999,
        "never",
    );

    plain(store).delete_movie(movie).await.expect("delete");
    let first = store
        .restore_movie(movie, &by("s"))
        .await
        .expect("restore")
        .record;
    assert_exists(
        store.restore_movie(movie, &by("s")).await,
        ResourceKind::Movie,
        movie.get(),
    );
    plain(store).delete_movie(movie).await.expect("delete");
    let second = store
        .restore_movie(movie, &by("s"))
        .await
        .expect("restore")
        .record;
    assert!(second.revision.version > first.revision.version);
    let versions: Vec<i64> = super::editing::trail(
        store,
        crate::audit::AuditFilter::new(Some(ResourceKind::Movie), Some(movie.get()), None),
    )
    .await
    .iter()
    .map(|e| e.version.get())
    .collect();
    assert_eq!(
        versions,
        [5, 4, 3, 2, 1],
        "one entry per version, none repeated"
    );
    assert_eq!(movie_total(store).await, 1);
}

/// Of restores of one record racing each other, exactly one wins; the rest find it back.
pub async fn concurrent_restores_make_one_winner(store: &dyn Store) {
    let a = add_actor(store, "Ann", &[]).await.id;
    let movie = add_movie(store, "Raced", &[a]).await.id;
    plain(store).delete_movie(movie).await.expect("delete");
    let edits: Vec<Edit> = (0..6).map(|i| by(&format!("auth0|racer{i}"))).collect();
    let results = join_all(edits.iter().map(|edit| store.restore_movie(movie, edit))).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "{results:?}");
    for result in results.into_iter().filter(Result::is_err) {
        assert_exists(result, ResourceKind::Movie, movie.get());
    }
    let restores = super::editing::trail(
        store,
        crate::audit::AuditFilter::new(Some(ResourceKind::Movie), Some(movie.get()), None),
    )
    .await
    .into_iter()
    .filter(|e| e.action == AuditAction::Restore)
    .count();
    assert_eq!(restores, 1);
    assert_eq!(store.get_actor(a).await.expect("get").movies, [movie]);
}
