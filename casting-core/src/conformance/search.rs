//! Checks of search: filters, sorting, cursors and `count=none`.

use super::*;
use crate::query::{ActorFilter, ActorQuery, Count, MovieField, MovieFilter, Sort, SortField};

async fn movie_on(store: &dyn Store, text: &str, released: &str, actors: &[ActorId]) -> MovieId {
    plain(store)
        .create_movie(NewMovie::new(title(text), date(released)).with_actors(actors.to_vec()))
        .await
        .expect("create_movie")
        .id
}

async fn actor_of(store: &dyn Store, text: &str, years: i64, gender: Gender) -> ActorId {
    plain(store)
        .create_actor(NewActor::new(name(text), age(years), gender))
        .await
        .expect("create_actor")
        .id
}

fn movie_query(filter: MovieFilter, sort: &str) -> MovieQuery {
    MovieQuery::new(1, 100, None)
        .expect("valid")
        .with_filter(filter)
        .with_sort(Sort::parse(sort).expect("valid sort"))
}

fn actor_query(filter: ActorFilter, sort: &str) -> ActorQuery {
    ActorQuery::new(1, 100, None)
        .expect("valid")
        .with_filter(filter)
        .with_sort(Sort::parse(sort).expect("valid sort"))
}

fn dates(from: Option<&str>, to: Option<&str>) -> MovieFilter {
    MovieFilter::new(from.map(date), to.map(date), []).expect("valid filter")
}

fn cast(actors: &[ActorId]) -> MovieFilter {
    MovieFilter::new(None, None, actors.iter().copied()).expect("valid filter")
}

async fn listed_movies(store: &dyn Store, query: &MovieQuery) -> (Vec<MovieId>, Option<u64>) {
    let page = store.list_movies(query).await.expect("list_movies");
    (page.items.into_iter().map(|m| m.id).collect(), page.total)
}

async fn listed_actors(store: &dyn Store, query: &ActorQuery) -> (Vec<ActorId>, Option<u64>) {
    let page = store.list_actors(query).await.expect("list_actors");
    (page.items.into_iter().map(|a| a.id).collect(), page.total)
}

/// `released_from` and `released_to` are inclusive bounds; `actor` keeps movies whose cast
/// holds every one of them; an actor that does not exist keeps nothing; each combines with `q`
/// and `total` counts what they keep.
pub async fn movie_filters_dates_and_cast(store: &dyn Store) {
    let ada = actor_of(store, "Ada", 30, Gender::Female).await;
    let bob = actor_of(store, "Bob", 40, Gender::Male).await;
    let old = movie_on(store, "Old Star", "1999-12-31", &[ada]).await;
    let first = movie_on(store, "First Day", "2000-01-01", &[ada, bob]).await;
    let mid = movie_on(store, "Mid Star", "2000-06-15", &[bob]).await;
    let last = movie_on(store, "Last Day", "2000-12-31", &[ada, bob]).await;
    let new = movie_on(store, "New Star", "2001-01-01", &[]).await;

    let year = dates(Some("2000-01-01"), Some("2000-12-31"));
    assert_eq!(
        listed_movies(store, &movie_query(year.clone(), "id")).await,
        (vec![first, mid, last], Some(3)),
        "released_from and released_to are inclusive"
    );
    let (ids, _) = listed_movies(store, &movie_query(dates(Some("2000-06-15"), None), "id")).await;
    assert_eq!(ids, [mid, last, new]);
    let (ids, _) = listed_movies(store, &movie_query(dates(None, Some("2000-01-01")), "id")).await;
    assert_eq!(ids, [old, first]);
    let day = dates(Some("2000-06-15"), Some("2000-06-15"));
    assert_eq!(listed_movies(store, &movie_query(day, "id")).await.0, [mid]);

    assert_eq!(
        listed_movies(store, &movie_query(cast(&[ada]), "id")).await,
        (vec![old, first, last], Some(3))
    );
    assert_eq!(
        listed_movies(store, &movie_query(cast(&[bob, ada]), "id")).await,
        (vec![first, last], Some(2)),
        "repeated actor filters keep movies with all of them"
    );
    assert_eq!(
        listed_movies(store, &movie_query(cast(&[ada, ActorId(9_999_999)]), "id")).await,
        (vec![], Some(0)),
        "an actor that does not exist keeps nothing"
    );

    let both = MovieFilter::new(Some(date("2000-01-01")), None, [ada]).expect("valid");
    let with_q = MovieQuery::new(1, 100, Some("day"))
        .expect("valid")
        .with_filter(both.clone());
    assert_eq!(
        listed_movies(store, &with_q).await,
        (vec![first, last], Some(2))
    );
    let with_q = MovieQuery::new(1, 100, Some("star"))
        .expect("valid")
        .with_filter(both);
    assert_eq!(listed_movies(store, &with_q).await, (vec![], Some(0)));
    let paged = MovieQuery::new(2, 1, None)
        .expect("valid")
        .with_filter(year);
    assert_eq!(listed_movies(store, &paged).await, (vec![mid], Some(3)));
}

/// `gender` keeps any of the genders given; `age_min` and `age_max` are inclusive; `movie`
/// keeps actors cast in every one of them; a movie that does not exist keeps nothing.
pub async fn actor_filters_gender_age_and_movies(store: &dyn Store) {
    let young = actor_of(store, "Young", 24, Gender::Female).await;
    let low = actor_of(store, "Low", 25, Gender::Female).await;
    let mid = actor_of(store, "Mid", 30, Gender::Male).await;
    let high = actor_of(store, "High", 35, Gender::Other).await;
    let older = actor_of(store, "Older", 36, Gender::Female).await;
    let one = movie_on(store, "One", "2000-01-01", &[low, mid]).await;
    let two = movie_on(store, "Two", "2000-01-01", &[mid, high, older]).await;

    let ages = |min, max| ActorFilter::new([], min, max, []).expect("valid");
    assert_eq!(
        listed_actors(
            store,
            &actor_query(ages(Some(age(25)), Some(age(35))), "id")
        )
        .await,
        (vec![low, mid, high], Some(3))
    );
    let (ids, _) = listed_actors(store, &actor_query(ages(Some(age(35)), None), "id")).await;
    assert_eq!(ids, [high, older]);
    let (ids, _) = listed_actors(store, &actor_query(ages(None, Some(age(24))), "id")).await;
    assert_eq!(ids, [young]);

    let genders =
        |g: &[Gender]| ActorFilter::new(g.iter().copied(), None, None, []).expect("valid");
    assert_eq!(
        listed_actors(store, &actor_query(genders(&[Gender::Female]), "id")).await,
        (vec![young, low, older], Some(3))
    );
    let (ids, _) = listed_actors(
        store,
        &actor_query(genders(&[Gender::Other, Gender::Male]), "id"),
    )
    .await;
    assert_eq!(ids, [mid, high], "genders are any-of");

    let cast_in =
        |m: &[MovieId]| ActorFilter::new([], None, None, m.iter().copied()).expect("valid");
    assert_eq!(
        listed_actors(store, &actor_query(cast_in(&[two]), "id")).await,
        (vec![mid, high, older], Some(3))
    );
    assert_eq!(
        listed_actors(store, &actor_query(cast_in(&[one, two]), "id"))
            .await
            .0,
        [mid]
    );
    assert_eq!(
        listed_actors(store, &actor_query(cast_in(&[MovieId(9_999_999)]), "id")).await,
        (vec![], Some(0))
    );

    // "which actresses between 25 and 35 are free for this film?" and a `q` on top.
    let actresses =
        ActorFilter::new([Gender::Female], Some(age(25)), Some(age(35)), []).expect("valid");
    assert_eq!(
        listed_actors(store, &actor_query(actresses.clone(), "id"))
            .await
            .0,
        [low]
    );
    let all = ActorFilter::new([Gender::Female, Gender::Other], None, Some(age(35)), [two])
        .expect("valid");
    let with_q = ActorQuery::new(1, 100, Some("IG"))
        .expect("valid")
        .with_filter(all);
    assert_eq!(listed_actors(store, &with_q).await, (vec![high], Some(1)));
}

/// Every sort, both ways: ties fall to the id (running the last key's way unless the id is
/// named), text sorts by code point, and page numbers page the sorted list.
pub async fn sorts_break_ties_by_id(store: &dyn Store) {
    let b1 = movie_on(store, "Beta", "2000-01-01", &[]).await;
    let a1 = movie_on(store, "Alpha", "2001-01-01", &[]).await;
    let b2 = movie_on(store, "Beta", "1999-01-01", &[]).await;
    let lower = movie_on(store, "alpha", "2000-01-01", &[]).await;
    let accent = movie_on(store, "Émile", "2001-01-01", &[]).await;
    let a2 = movie_on(store, "Alpha", "2000-01-01", &[]).await;

    let order = |sort: &'static str| async move {
        listed_movies(store, &movie_query(MovieFilter::default(), sort))
            .await
            .0
    };
    assert_eq!(order("title").await, [a1, a2, b1, b2, lower, accent]);
    assert_eq!(order("-title").await, [accent, lower, b2, b1, a2, a1]);
    assert_eq!(order("title,-id").await, [a2, a1, b2, b1, lower, accent]);
    assert_eq!(order("release_date").await, [b2, b1, lower, a2, a1, accent]);
    assert_eq!(
        order("-release_date").await,
        [accent, a1, a2, lower, b1, b2]
    );
    assert_eq!(
        order("-release_date,id").await,
        [a1, accent, b1, lower, a2, b2]
    );
    assert_eq!(
        order("release_date,-title").await,
        [b2, lower, b1, a2, accent, a1]
    );
    assert_eq!(order("-id").await, [a2, accent, lower, b2, a1, b1]);
    let sorted = order("title").await;
    for (page, chunk) in sorted.chunks(4).enumerate() {
        let query = MovieQuery::new(page as u32 + 1, 4, None)
            .expect("valid")
            .with_sort(Sort::parse("title").expect("valid"));
        let (ids, total) = listed_movies(store, &query).await;
        assert_eq!((ids.as_slice(), total), (chunk, Some(6)));
    }

    let x1 = actor_of(store, "Xena", 30, Gender::Female).await;
    let y = actor_of(store, "Yuri", 20, Gender::Male).await;
    let x2 = actor_of(store, "Xena", 20, Gender::Other).await;
    let actors = |sort: &'static str| async move {
        listed_actors(store, &actor_query(ActorFilter::default(), sort))
            .await
            .0
    };
    assert_eq!(actors("name").await, [x1, x2, y]);
    assert_eq!(actors("-name").await, [y, x2, x1]);
    assert_eq!(actors("age").await, [y, x2, x1]);
    assert_eq!(actors("-age,name").await, [x1, x2, y]);
    assert_eq!(actors("name,-age").await, [x1, x2, y]);
    assert_eq!(actors("name,age").await, [x2, x1, y]);
}

/// Follows `next` from the first page to the last, collecting the ids.
async fn walk_movies(store: &dyn Store, first: MovieQuery) -> Vec<MovieId> {
    let mut seen = Vec::new();
    let mut query = first.clone();
    loop {
        let page = store.list_movies(&query).await.expect("list_movies");
        assert!(page.items.len() <= query.per_page() as usize);
        seen.extend(page.items.iter().map(|m| m.id));
        match page.next {
            Some(next) => {
                assert!(!page.items.is_empty(), "a page with a next is not empty");
                query = first.clone().after(&next).expect("the store's cursor fits");
            }
            None => return seen,
        }
        assert!(seen.len() <= 10_000, "the walk does not end");
    }
}

/// A cursor walk, under every sort and with filters, sees the whole sorted list in order,
/// each record once, however the pages fall (ties straddling a page edge included).
pub async fn cursor_walks_see_every_record_once(store: &dyn Store) {
    let ada = actor_of(store, "Ada", 30, Gender::Female).await;
    let titles = [
        "Gamma", "Alpha", "Gamma", "Beta", "Alpha", "Gamma", "Delta", "Beta",
    ];
    for (i, text) in titles.iter().enumerate() {
        let released = format!("20{:02}-01-01", i % 3);
        let cast: &[ActorId] = if i % 2 == 0 { &[ada] } else { &[] };
        movie_on(store, text, &released, cast).await;
    }
    let filters = [
        MovieFilter::default(),
        cast(&[ada]),
        dates(Some("2001-01-01"), None),
    ];
    for filter in filters {
        for field in MovieField::ALL {
            for sort in [field.name().to_owned(), format!("-{}", field.name())] {
                let whole = listed_movies(store, &movie_query(filter.clone(), &sort))
                    .await
                    .0;
                for per_page in [1, 2, 3] {
                    let first = MovieQuery::new(1, per_page, None)
                        .expect("valid")
                        .with_filter(filter.clone())
                        .with_sort(Sort::parse(&sort).expect("valid"))
                        .with_count(Count::Skip);
                    assert_eq!(
                        walk_movies(store, first).await,
                        whole,
                        "walk by {sort}, {per_page} a page, {filter:?}"
                    );
                }
            }
        }
        let searched = MovieQuery::new(1, 100, Some("TA"))
            .expect("valid")
            .with_filter(filter.clone())
            .with_sort(Sort::parse("-title").expect("valid"));
        let whole = listed_movies(store, &searched).await.0;
        let first = MovieQuery::new(1, 1, Some("TA"))
            .expect("valid")
            .with_filter(filter.clone())
            .with_sort(Sort::parse("-title").expect("valid"));
        assert_eq!(walk_movies(store, first).await, whole, "walk with q");
        let mixed = "release_date,-title";
        let whole = listed_movies(store, &movie_query(filter.clone(), mixed))
            .await
            .0;
        let first = movie_query(filter.clone(), mixed);
        let first = MovieQuery::new(1, 2, None)
            .expect("valid")
            .with_filter(first.filter().clone())
            .with_sort(first.sort().clone());
        assert_eq!(walk_movies(store, first).await, whole, "walk by {mixed}");
    }
}

/// Records inserted and deleted during a walk do not make it skip or repeat any record that
/// existed throughout; a cursor whose record was deleted still leads on.
pub async fn cursor_walks_survive_inserts_and_deletes(store: &dyn Store) {
    let mut throughout = Vec::new();
    let mut doomed = Vec::new();
    for i in 0..30 {
        let id = movie_on(
            store,
            &format!("Title {:02}", (i * 7) % 30),
            "2000-01-01",
            &[],
        )
        .await;
        if i % 5 == 0 {
            doomed.push(id);
        } else {
            throughout.push(id);
        }
    }
    let first = MovieQuery::new(1, 4, None)
        .expect("valid")
        .with_sort(Sort::parse("-title").expect("valid"))
        .with_count(Count::Skip);
    let mut query = first.clone();
    let mut seen = Vec::new();
    let mut round = 0;
    loop {
        let page = store.list_movies(&query).await.expect("list_movies");
        seen.extend(page.items.iter().map(|m| m.id));
        // Between pages: delete a doomed record (the page's last, when it is one), add two
        // titles, one sorting before the cursor and one after it.
        if let Some(last) = page.items.last()
            && doomed.contains(&last.id)
        {
            plain(store).delete_movie(last.id).await.expect("delete");
            doomed.retain(|id| *id != last.id);
        } else if let Some(id) = doomed.pop() {
            plain(store).delete_movie(id).await.expect("delete");
        }
        movie_on(store, &format!("Title {round:02} new"), "2000-01-01", &[]).await;
        movie_on(store, "A latecomer", "2000-01-01", &[]).await;
        round += 1;
        match page.next {
            Some(next) => query = first.clone().after(&next).expect("fits"),
            None => break,
        }
        assert!(round < 200, "the walk does not end");
    }
    let mut once = BTreeSet::new();
    for id in &seen {
        assert!(once.insert(*id), "{id} was seen twice");
    }
    for id in &throughout {
        assert!(once.contains(id), "{id} existed throughout and was missed");
    }
}

/// `count=none` leaves `total` out and pages the same; a page by number gives the cursor of
/// the page after it; a cursor fits only the query that made it.
pub async fn count_none_and_cursor_checks(store: &dyn Store) {
    let ids = add_movies(store, 7).await;
    let counted = store
        .list_movies(&query(1, 3, None))
        .await
        .expect("list_movies");
    let uncounted = store
        .list_movies(&query(1, 3, None).with_count(Count::Skip))
        .await
        .expect("list_movies");
    assert_eq!(counted.total, Some(7));
    assert_eq!(uncounted.total, None);
    assert_eq!(counted.items, uncounted.items);
    assert_eq!(counted.next, uncounted.next);

    let second = store
        .list_movies(&query(2, 3, None))
        .await
        .expect("list_movies");
    let next = counted.next.expect("a next page");
    let after = store
        .list_movies(&query(1, 3, None).after(&next).expect("fits"))
        .await
        .expect("list_movies");
    assert_eq!(after.items, second.items, "page 2 by number or by cursor");
    assert_eq!((after.page, after.total), (None, Some(7)));
    let last = store
        .list_movies(&query(3, 3, None))
        .await
        .expect("list_movies");
    assert_eq!(
        (
            last.items.iter().map(|m| m.id).collect::<Vec<_>>(),
            last.next
        ),
        (vec![ids[6]], None)
    );
    let past = store
        .list_movies(&query(9, 3, None))
        .await
        .expect("list_movies");
    assert_eq!((past.items.len(), past.next), (0, None));

    let other_sort = query::<MovieFilter>(1, 3, None).with_sort(Sort::parse("-id").expect("valid"));
    assert!(matches!(
        other_sort.after(&next),
        Err(crate::error::Error::BadRequest(_))
    ));
    let other_q = query::<MovieFilter>(1, 3, Some("Movie"));
    assert!(matches!(
        other_q.after(&next),
        Err(crate::error::Error::BadRequest(_))
    ));
    let actors = query::<ActorFilter>(1, 3, None);
    assert!(matches!(
        actors.after(&next),
        Err(crate::error::Error::BadRequest(_))
    ));
    let mangled = format!("{}x", &next[..next.len() - 1]);
    assert!(matches!(
        query::<MovieFilter>(1, 3, None).after(&mangled),
        Err(crate::error::Error::BadRequest(_))
    ));
}
