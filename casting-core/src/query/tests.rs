use super::*;
use crate::domain::Title;
use crate::model::MovieSummary;

fn bad_fields<T: std::fmt::Debug>(result: Result<T, Error>) -> Vec<String> {
    match result {
        Err(Error::BadRequest(errors)) => errors.into_iter().map(|e| e.field.into()).collect(),
        other => panic!("expected BadRequest, got {other:?}"),
    }
}

fn movies(list: ListParams) -> Result<MovieQuery, Error> {
    MovieQuery::parse(&MovieListParams {
        list,
        ..MovieListParams::default()
    })
}

fn movie(id: i64, title: &str) -> MovieSummary {
    MovieSummary {
        id: MovieId(id),
        title: Title::parse(title).unwrap(),
        release_date: ReleaseDate::parse("2000-01-01").unwrap(),
    }
}

#[test]
fn defaults_are_page_one_of_ten_by_id_counted() {
    let query = movies(ListParams::default()).unwrap();
    assert_eq!(
        (query.page(), query.per_page(), query.q()),
        (Some(1), 10, None)
    );
    assert_eq!(query, MovieQuery::default());
    assert_eq!((query.offset(), query.limit()), (0, 11));
    assert_eq!(query.count(), Count::Exact);
    assert_eq!(query.sort().to_param(), "id");
    assert!(!query.is_filtered());
}

#[test]
fn bounds() {
    assert!(MovieQuery::new(1, 1, None).is_ok());
    assert!(MovieQuery::new(1, 100, None).is_ok());
    assert!(MovieQuery::new(u32::MAX, 100, None).is_ok());
    assert_eq!(bad_fields(MovieQuery::new(0, 10, None)), ["page"]);
    assert_eq!(bad_fields(MovieQuery::new(1, 0, None)), ["per_page"]);
    assert_eq!(bad_fields(MovieQuery::new(1, 101, None)), ["per_page"]);
    assert_eq!(
        bad_fields(MovieQuery::new(0, 101, None)),
        ["page", "per_page"]
    );
    let params = |page, per_page| ListParams {
        page,
        per_page,
        ..ListParams::default()
    };
    assert_eq!(bad_fields(movies(params(Some(-1), None))), ["page"]);
    assert_eq!(bad_fields(movies(params(Some(i64::MAX), None))), ["page"]);
    assert_eq!(bad_fields(movies(params(None, Some(-5)))), ["per_page"]);
}

#[test]
fn a_page_out_of_range_names_the_real_bounds() {
    for page in [0, -1, 4_294_967_296] {
        let list = ListParams {
            page: Some(page),
            ..ListParams::default()
        };
        match movies(list) {
            Err(Error::BadRequest(errors)) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(
                    errors[0].message, "must be between 1 and 4294967295",
                    "{page}"
                );
            }
            other => panic!("page={page}: expected BadRequest, got {other:?}"),
        }
    }
}

#[test]
fn offset_does_not_overflow() {
    let query = MovieQuery::new(u32::MAX, 100, None).unwrap();
    assert_eq!(query.offset(), (u64::from(u32::MAX) - 1) * 100);
    assert_eq!(MovieQuery::new(3, 25, None).unwrap().offset(), 50);
}

#[test]
fn q_rules() {
    assert_eq!(MovieQuery::new(1, 10, Some("")).unwrap().q(), None);
    assert_eq!(
        MovieQuery::new(1, 10, Some(" a ")).unwrap().q(),
        Some(" a ")
    );
    assert!(MovieQuery::new(1, 10, Some(&"q".repeat(200))).is_ok());
    assert_eq!(
        bad_fields(MovieQuery::new(1, 10, Some(&"q".repeat(201)))),
        ["q"]
    );
    assert_eq!(bad_fields(MovieQuery::new(1, 10, Some("a\0b"))), ["q"]);
}

#[test]
fn every_bad_parameter_is_named() {
    let list = ListParams {
        sort: Some("rating".into()),
        count: Some("some".into()),
        ..ListParams::default()
    };
    assert_eq!(bad_fields(movies(list)), ["sort", "count"]);
    let params = MovieListParams {
        released_from: Some("2000/01/01".into()),
        released_to: Some("31-02-2000".into()),
        actor: vec![3, 0],
        ..MovieListParams::default()
    };
    assert_eq!(
        bad_fields(MovieQuery::parse(&params)),
        ["released_from", "released_to", "actor"]
    );
    let params = MovieListParams {
        released_from: Some("2001-01-01".into()),
        released_to: Some("2000-01-01".into()),
        ..MovieListParams::default()
    };
    assert_eq!(bad_fields(MovieQuery::parse(&params)), ["released_from"]);

    let params = ActorListParams {
        gender: vec!["female".into(), "robot".into(), "droid".into()],
        age_min: Some(151),
        age_max: Some(-1),
        movie: vec![-4],
        ..ActorListParams::default()
    };
    assert_eq!(
        bad_fields(ActorQuery::parse(&params)),
        ["gender", "age_min", "age_max", "movie"]
    );
    let params = ActorListParams {
        age_min: Some(40),
        age_max: Some(30),
        ..ActorListParams::default()
    };
    assert_eq!(bad_fields(ActorQuery::parse(&params)), ["age_min"]);
    let params = ActorListParams {
        gender: vec!["fEmAlE".into(), " Other ".into()],
        age_min: Some(0),
        age_max: Some(150),
        movie: vec![2, 2],
        ..ActorListParams::default()
    };
    let query = ActorQuery::parse(&params).unwrap();
    assert_eq!(query.filter().genders(), [Gender::Female, Gender::Other]);
    assert_eq!(query.filter().movies(), [MovieId(2)]);
    assert!(query.is_filtered());
}

#[test]
fn page_and_after_are_exclusive() {
    let first = movies(ListParams::default()).unwrap();
    let cursor = first.cursor_after(&movie(3, "C"));
    let both = ListParams {
        page: Some(2),
        after: Some(cursor.clone()),
        ..ListParams::default()
    };
    assert_eq!(bad_fields(movies(both)), ["page"]);
    let after = movies(ListParams {
        after: Some(cursor),
        ..ListParams::default()
    })
    .unwrap();
    assert_eq!(after.page(), None);
    assert_eq!(after.after_values(), Some(&[SortValue::Int(3)][..]));
    assert_eq!(after.offset(), 0);
}

#[test]
fn a_cursor_only_fits_the_query_that_made_it() {
    let params = |sort: &str, q: Option<&str>, actor: Vec<i64>| MovieListParams {
        list: ListParams {
            sort: Some(sort.into()),
            q: q.map(Into::into),
            per_page: Some(5),
            ..ListParams::default()
        },
        actor,
        ..MovieListParams::default()
    };
    let made = MovieQuery::parse(&params("title", Some("a"), vec![1, 2])).unwrap();
    let cursor = made.cursor_after(&movie(9, "Alpha"));
    let with = |mut p: MovieListParams| {
        p.list.after = Some(cursor.clone());
        MovieQuery::parse(&p)
    };
    // Another page size, count or order of repeated ids is still the same list.
    let mut same = params("title", Some("a"), vec![2, 1, 2]);
    same.list.per_page = Some(50);
    same.list.count = Some("none".into());
    let query = with(same).unwrap();
    assert_eq!(
        query.after_values(),
        Some(&[SortValue::Text("Alpha".into()), SortValue::Int(9)][..])
    );
    for other in [
        params("-title", Some("a"), vec![1, 2]),
        params("title", Some("b"), vec![1, 2]),
        params("title", None, vec![1, 2]),
        params("title", Some("a"), vec![1]),
    ] {
        match with(other) {
            Err(Error::BadRequest(errors)) => {
                assert_eq!(errors[0].field, "after");
                assert!(errors[0].message.contains("other filters"), "{errors:?}");
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }
    let actors = ActorQuery::parse(&ActorListParams {
        list: ListParams {
            after: Some(cursor.clone()),
            ..ListParams::default()
        },
        ..ActorListParams::default()
    });
    assert_eq!(bad_fields(actors), ["after"]);
    let mut mangled = params("title", Some("a"), vec![1, 2]);
    mangled.list.after = Some(format!("{cursor}A"));
    match MovieQuery::parse(&mangled) {
        Err(Error::BadRequest(errors)) => assert!(errors[0].message.contains("not a cursor")),
        other => panic!("expected mangled, got {other:?}"),
    }
}

#[test]
fn a_page_knows_its_next_cursor_and_drops_an_uncounted_total() {
    let query = MovieQuery::new(1, 2, None).unwrap();
    let page = query.page_of(vec![movie(1, "A"), movie(2, "B"), movie(3, "C")], Some(3));
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.total, Some(3));
    let next = page.next.expect("a next page");
    let after = MovieQuery::new(1, 2, None).unwrap().after(&next).unwrap();
    assert_eq!(after.after_values(), Some(&[SortValue::Int(2)][..]));

    let last = query.page_of(vec![movie(1, "A"), movie(2, "B")], Some(2));
    assert_eq!(last.next, None);
    let uncounted = query.with_count(Count::Skip).page_of(vec![], Some(2));
    assert_eq!((uncounted.total, uncounted.next), (None, None));
}
