//! Checks of lists: paging, totals, filtering, order.

use super::*;

/// Defaults are page 1 of 10; the last page is short; a page past the end is empty and still
/// carries the true total.
pub async fn paging_defaults_and_past_the_end(store: &dyn Store) {
    let ids = add_movies(store, 25).await;

    let first = store
        .list_movies(&ListQuery::default())
        .await
        .expect("list");
    assert_eq!(
        (first.page, first.per_page, first.total),
        (Some(1), 10, Some(25))
    );
    assert_eq!(
        first.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids[..10]
    );

    assert_eq!(movie_ids(store, &query(2, 10, None)).await, ids[10..20]);
    let last = store.list_movies(&query(3, 10, None)).await.expect("list");
    assert_eq!(
        last.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        ids[20..]
    );
    assert_eq!(last.total, Some(25));

    for page in [4, 1000, u32::MAX] {
        let past = store
            .list_movies(&query(page, 10, None))
            .await
            .expect("list");
        assert!(past.items.is_empty(), "page {page} is past the end");
        assert_eq!((past.total, past.page), (Some(25), Some(page)));
    }

    for i in 0..3 {
        add_actor(store, &format!("Actor {i}"), &[]).await;
    }
    let actors = store.list_actors(&query(2, 2, None)).await.expect("list");
    assert_eq!(
        (
            actors.items.len(),
            actors.total,
            actors.page,
            actors.per_page
        ),
        (1, Some(3), Some(2), 2)
    );
}

/// Page sizes of 1 and of 100 (the largest) are honoured exactly.
pub async fn per_page_bounds(store: &dyn Store) {
    let ids = add_movies(store, 101).await;
    let full = store.list_movies(&query(1, 100, None)).await.expect("list");
    assert_eq!(full.items.len(), 100);
    assert_eq!(full.total, Some(101));
    assert_eq!(movie_ids(store, &query(2, 100, None)).await, [ids[100]]);
    assert_eq!(movie_ids(store, &query(1, 1, None)).await, [ids[0]]);
    assert_eq!(movie_ids(store, &query(101, 1, None)).await, [ids[100]]);
    assert!(movie_ids(store, &query(102, 1, None)).await.is_empty());
}

/// `q` keeps records whose title (or name) contains it, ignoring case; `total` counts the
/// matches, and paging applies to the matches.
pub async fn q_filters_case_insensitively(store: &dyn Store) {
    let star = add_movie(store, "Star Wars", &[]).await.id;
    add_movie(store, "Alien", &[]).await;
    let lone = add_movie(store, "The Lone Star", &[]).await.id;
    let stars = add_movie(store, "STARGATE", &[]).await.id;
    let accented = add_movie(store, "Étoile", &[]).await.id;

    let page = store
        .list_movies(&query(1, 10, Some("star")))
        .await
        .expect("list");
    assert_eq!(page.total, Some(3));
    assert_eq!(
        page.items.iter().map(|m| m.id).collect::<Vec<_>>(),
        [star, lone, stars]
    );
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("StAr WaRs"))).await,
        [star]
    );
    assert_eq!(movie_ids(store, &query(2, 2, Some("STAR"))).await, [stars]);
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("étoile"))).await,
        [accented]
    );
    assert_eq!(movie_ids(store, &query(1, 10, Some("e s"))).await, [lone]);
    let none = store
        .list_movies(&query(1, 10, Some("zzz")))
        .await
        .expect("list");
    assert_eq!((none.items.len(), none.total), (0, Some(0)));

    let ada = add_actor(store, "Ada Lovelace", &[]).await.id;
    add_actor(store, "Grace Hopper", &[]).await;
    let page = store
        .list_actors(&query(1, 10, Some("LOVE")))
        .await
        .expect("list");
    assert_eq!(page.total, Some(1));
    assert_eq!(page.items[0].id, ada);
}

/// `q` folds text one way on every store (`query::fold`): composition, full case folding, the
/// Turkish dotted capital I as i; the dotless i stays its own letter, and accents still count.
pub async fn q_folds_unicode_the_same_everywhere(store: &dyn Store) {
    let odysseus = add_movie(store, "ΟΔΥΣΣΕΑΣ", &[]).await.id;
    let istanbul = add_movie(store, "İstanbul Hatırası", &[]).await.id;
    let cafe = add_movie(store, "Café Society", &[]).await.id;
    let decomposed = add_movie(store, "Le Cafe\u{301} des Arts", &[]).await.id;
    let strasse = add_movie(store, "Die Straße", &[]).await.id;
    let plain = add_movie(store, "Cafe Plain", &[]).await.id;
    for (q, expected) in [
        ("οδυσσεας", vec![odysseus]),
        ("Οδυσσεας", vec![odysseus]),
        ("istanbul", vec![istanbul]),
        ("İSTANBUL", vec![istanbul]),
        ("hatırası", vec![istanbul]),
        ("hatirasi", vec![]),
        ("café", vec![cafe, decomposed]),
        ("CAFE\u{301}", vec![cafe, decomposed]),
        ("cafe", vec![plain]),
        ("STRASSE", vec![strasse]),
        ("straße", vec![strasse]),
    ] {
        assert_eq!(
            movie_ids(store, &query(1, 10, Some(q))).await,
            expected,
            "q={q:?}"
        );
    }
    let named = add_actor(store, "Iñárritu İnce", &[]).await.id;
    let page = store
        .list_actors(&query(1, 10, Some("IÑÁRRITU ince")))
        .await
        .expect("list");
    assert_eq!(page.items.iter().map(|a| a.id).collect::<Vec<_>>(), [named]);
    // A renamed record is found by its new name only.
    plain_rename(store, odysseus, "Ulysses").await;
    assert!(
        movie_ids(store, &query(1, 10, Some("οδυσσεας")))
            .await
            .is_empty()
    );
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("ULYSSES"))).await,
        [odysseus]
    );
}

async fn plain_rename(store: &dyn Store, id: MovieId, text: &str) {
    plain(store)
        .update_movie(
            id,
            MoviePatch {
                title: Some(title(text)),
                ..MoviePatch::default()
            },
        )
        .await
        .expect("rename");
}

/// `%`, `_` and `\` in `q` are plain characters, not patterns.
pub async fn q_treats_wildcards_literally(store: &dyn Store) {
    let percent = add_movie(store, "100% Love", &[]).await.id;
    let underscore = add_movie(store, "snake_case", &[]).await.id;
    let backslash = add_movie(store, r"C:\Films", &[]).await.id;
    add_movie(store, "100 Love", &[]).await;
    add_movie(store, "snakeXcase", &[]).await;
    add_movie(store, "C:Films", &[]).await;

    assert_eq!(movie_ids(store, &query(1, 10, Some("%"))).await, [percent]);
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("0% L"))).await,
        [percent]
    );
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("_"))).await,
        [underscore]
    );
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("e_c"))).await,
        [underscore]
    );
    assert_eq!(
        movie_ids(store, &query(1, 10, Some("\\"))).await,
        [backslash]
    );
    assert_eq!(
        movie_ids(store, &query(1, 10, Some(r":\f"))).await,
        [backslash]
    );
    assert!(movie_ids(store, &query(1, 10, Some("%%"))).await.is_empty());

    let actor = add_actor(store, "Under_Score", &[]).await.id;
    add_actor(store, "UnderXScore", &[]).await;
    let page = store
        .list_actors(&query(1, 10, Some("r_s")))
        .await
        .expect("list");
    assert_eq!(page.items.iter().map(|a| a.id).collect::<Vec<_>>(), [actor]);
}

/// Lists are ordered by id, whatever the titles and whatever was changed or deleted.
pub async fn lists_are_ordered_by_id(store: &dyn Store) {
    let mut ids = Vec::new();
    for text in ["Zulu", "Alpha", "Mike", "Bravo", "Yankee"] {
        ids.push(add_movie(store, text, &[]).await.id);
    }
    plain(store)
        .update_movie(ids[0], patch_title("Aardvark"))
        .await
        .expect("update");
    plain(store).delete_movie(ids[2]).await.expect("delete");
    let listed = movie_ids(store, &ListQuery::default()).await;
    assert_eq!(listed, [ids[0], ids[1], ids[3], ids[4]]);

    let mut actors = Vec::new();
    for text in ["Zed", "Abe", "Max"] {
        actors.push(add_actor(store, text, &[]).await.id);
    }
    let page = store
        .list_actors(&ListQuery::default())
        .await
        .expect("list");
    assert_eq!(page.items.iter().map(|a| a.id).collect::<Vec<_>>(), actors);
}
