//! How lists, search and get cost as the tables grow: fills a scratch database with 1,000 and
//! then 1,000,000 movies and actors (5 actors a movie) and times the store's calls at each size.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release -p casting-store-postgres --example scale [-- --explain]
//! ```
//!
//! It creates (and at the end drops) the database `casting_scale`. Each row is the median and the
//! 95th percentile of 60 timed calls after 5 warm-up calls. With `--explain` it also prints the
//! plan of every list shape at the largest size. Results are in `docs/performance.md`.
//!
//! The data: release dates spread over 100 years, ages 0 to 100, three genders, names and
//! titles from word lists (so sorts see many ties), every 1,000th title holds "Zebra" and every
//! 5th "Star".

use std::str::FromStr;
use std::time::{Duration, Instant};

use casting_core::{
    ActorFilter, ActorId, ActorQuery, Age, Count, Gender, MovieFilter, MovieId, MovieQuery,
    ReleaseDate, Sort, Store,
};
use casting_store_postgres::{PoolSettings, PostgresStore, testing};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

const DATABASE: &str = "casting_scale";
const RUNS: usize = 60;
const WARM_UP: usize = 5;

type Failure = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let explain = std::env::args().any(|arg| arg == "--explain");
    let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL")?;
    let admin = PgConnectOptions::from_str(&url)?;
    let mut conn = admin.connect().await?;
    sqlx::query("DROP DATABASE IF EXISTS casting_scale WITH (FORCE)")
        .execute(&mut conn)
        .await?;
    sqlx::query("CREATE DATABASE casting_scale")
        .execute(&mut conn)
        .await?;
    conn.close().await?;

    let pool = PoolSettings::default()
        .pool_options()
        .connect_with(admin.clone().database(DATABASE))
        .await?;
    let store = PostgresStore::new(pool.clone());
    store.migrate().await?;

    println!("| rows | call | median | p95 |");
    println!("|---:|---|---:|---:|");
    let mut filled = 0;
    for size in [1_000i64, 1_000_000] {
        let started = Instant::now();
        fill(&pool, filled, size).await?;
        filled = size;
        eprintln!(
            "filled {size} movies and actors in {:.1?}",
            started.elapsed()
        );
        report(&store, size).await?;
    }
    if explain {
        print_plans(&store, filled).await?;
    }

    store.close().await;
    let mut conn = admin.connect().await?;
    sqlx::query("DROP DATABASE IF EXISTS casting_scale WITH (FORCE)")
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Adds movies and actors `from + 1 ..= to`, and 5 actors to each new movie.
async fn fill(pool: &sqlx::PgPool, from: i64, to: i64) -> Result<(), sqlx::Error> {
    // A cheap, well-spread hash of the row number.
    const HASH: &str = "((g * 2654435761) % 4294967296)";
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO actors (name, age, gender)
         SELECT (ARRAY['Ada','Ben','Cleo','Dev','Eve','Finn','Gus','Hana','Ivo','Jun','Kai',
                       'Lea','Mo','Nia','Oto','Pia'])[{HASH} % 16 + 1]
                || ' ' || (ARRAY['Abbott','Brown','Chen','Diaz','Evans','Fox','Garcia','Hill',
                       'Ito','Jones'])[{HASH} / 16 % 10 + 1] || ' ' || g,
                {HASH} / 160 % 101,
                (ARRAY['Female','Male','Other'])[{HASH} / 16160 % 3 + 1]
         FROM generate_series($1 + 1, $2) AS g"
    )))
    .bind(from)
    .bind(to)
    .execute(pool)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO movies (title, release_date)
         SELECT (ARRAY['The','A','Last','Red','Night','Lost','Blue','Iron'])[{HASH} % 8 + 1]
                || ' Movie ' || g
                || CASE WHEN g % 1000 = 0 THEN ' Zebra' WHEN g % 5 = 0 THEN ' Star' ELSE '' END,
                DATE '1925-01-01' + ({HASH} / 8 % 36525)::int
         FROM generate_series($1 + 1, $2) AS g"
    )))
    .bind(from)
    .bind(to)
    .execute(pool)
    .await?;
    // Five distinct actors a movie; each actor is in about five movies.
    sqlx::query(
        "INSERT INTO actors_movies (movie_id, actor_id, billing)
         SELECT m.id, (m.id * 7919 + k * 199999) % $2 + 1, k
         FROM movies AS m, generate_series(1, 5) AS k WHERE m.id > $1
         ON CONFLICT DO NOTHING",
    )
    .bind(from)
    .bind(to)
    .execute(pool)
    .await?;
    // Rows written in SQL carry no folded text for `q`: fold it as `migrate` would.
    casting_store_postgres::fold_search_text(pool)
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    for table in ["movies", "actors", "actors_movies"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM ANALYZE {table}")))
            .execute(pool)
            .await?;
    }
    Ok(())
}

fn date(text: &str) -> ReleaseDate {
    ReleaseDate::parse(text).expect("a date")
}

fn age(years: i64) -> Age {
    Age::parse(years).expect("an age")
}

fn movies(sort: &str, filter: MovieFilter, count: Count) -> MovieQuery {
    MovieQuery::new(1, 10, None)
        .expect("valid")
        .with_sort(Sort::parse(sort).expect("a sort"))
        .with_filter(filter)
        .with_count(count)
}

fn actors(sort: &str, filter: ActorFilter, count: Count) -> ActorQuery {
    ActorQuery::new(1, 10, None)
        .expect("valid")
        .with_sort(Sort::parse(sort).expect("a sort"))
        .with_filter(filter)
        .with_count(count)
}

fn released(from: &str, to: &str) -> MovieFilter {
    MovieFilter::new(Some(date(from)), Some(date(to)), []).expect("valid")
}

fn cast(actor: i64) -> MovieFilter {
    MovieFilter::new(None, None, [ActorId(actor)]).expect("valid")
}

fn genders(gender: Gender) -> ActorFilter {
    ActorFilter::new([gender], None, None, []).expect("valid")
}

fn ages(min: i64, max: i64) -> ActorFilter {
    ActorFilter::new([], Some(age(min)), Some(age(max)), []).expect("valid")
}

fn cast_in(movie: i64) -> ActorFilter {
    ActorFilter::new([], None, None, [MovieId(movie)]).expect("valid")
}

/// The movie list shapes timed, by name.
fn movie_shapes(size: i64) -> Vec<(String, MovieQuery)> {
    let none = Count::Skip;
    let mut shapes = Vec::new();
    for sort in [
        "id",
        "-id",
        "title",
        "-title",
        "release_date",
        "-release_date",
    ] {
        shapes.push((
            format!("movies sort={sort} count=none"),
            movies(sort, MovieFilter::default(), none),
        ));
    }
    let year = || released("2000-01-01", "2000-12-31");
    let half = || released("1950-01-01", "1999-12-31");
    let actor = size / 2 + 1;
    shapes.extend([
        (
            "movies released in one year (1 %), count=none".into(),
            movies("id", year(), none),
        ),
        (
            "movies with one actor, count=none".into(),
            movies("id", cast(actor), none),
        ),
        (
            "movies q rare (0.1 %), count=none".into(),
            MovieQuery::new(1, 10, Some("zebra"))
                .expect("valid")
                .with_count(none),
        ),
        (
            "movies released in one year, sort=-release_date".into(),
            movies("-release_date", year(), none),
        ),
        (
            "movies with one actor, sort=title".into(),
            movies("title", cast(actor), none),
        ),
        (
            "movies released in one year, count=exact".into(),
            movies("id", year(), Count::Exact),
        ),
        (
            "movies with one actor, count=exact".into(),
            movies("id", cast(actor), Count::Exact),
        ),
        (
            "movies released over 50 years (50 %), count=exact".into(),
            movies("id", half(), Count::Exact),
        ),
        (
            "movies q common (20 %), count=exact".into(),
            MovieQuery::new(1, 10, Some("star")).expect("valid"),
        ),
        (
            "movies unfiltered, count=exact".into(),
            movies("id", MovieFilter::default(), Count::Exact),
        ),
    ]);
    shapes
}

/// The actor list shapes timed, by name.
fn actor_shapes(size: i64) -> Vec<(String, ActorQuery)> {
    let none = Count::Skip;
    let mut shapes = Vec::new();
    for sort in ["id", "name", "-name", "age", "-age"] {
        shapes.push((
            format!("actors sort={sort} count=none"),
            actors(sort, ActorFilter::default(), none),
        ));
    }
    let movie = size / 2 + 1;
    let actresses =
        || ActorFilter::new([Gender::Female], Some(age(25)), Some(age(35)), []).expect("valid");
    shapes.extend([
        (
            "actors gender=Female, count=none".into(),
            actors("id", genders(Gender::Female), none),
        ),
        (
            "actors aged 25 to 35, count=none".into(),
            actors("id", ages(25, 35), none),
        ),
        (
            "actors in one movie, count=none".into(),
            actors("id", cast_in(movie), none),
        ),
        (
            "actresses 25 to 35, sort=name".into(),
            actors("name", actresses(), none),
        ),
        (
            "actors aged 30 (1 %), count=exact".into(),
            actors("id", ages(30, 30), Count::Exact),
        ),
        (
            "actors in one movie, count=exact".into(),
            actors("id", cast_in(movie), Count::Exact),
        ),
        (
            "actresses 25 to 35, count=exact".into(),
            actors("id", actresses(), Count::Exact),
        ),
        (
            "actors gender=Female (33 %), count=exact".into(),
            actors("id", genders(Gender::Female), Count::Exact),
        ),
    ]);
    shapes
}

async fn report(store: &PostgresStore, size: i64) -> Result<(), Failure> {
    let deep_page = u32::try_from(size / 10 / 2)?;
    let old = [
        ("movies page 1 (defaults)", MovieQuery::default()),
        (
            "movies page number at the middle (OFFSET)",
            MovieQuery::new(deep_page, 10, None)?,
        ),
        (
            "movies q rare (0.1 %)",
            MovieQuery::new(1, 10, Some("zebra"))?,
        ),
        (
            "movies q common (20 %)",
            MovieQuery::new(1, 10, Some("star"))?,
        ),
        (
            "movies q no match",
            MovieQuery::new(1, 10, Some("nothing like it"))?,
        ),
    ];
    for (name, query) in old {
        let times = time(|| async { store.list_movies(&query).await.map(drop) }).await?;
        row(size, name, &times);
    }
    for (name, query) in movie_shapes(size) {
        let times = time(|| async { store.list_movies(&query).await.map(drop) }).await?;
        row(size, &name, &times);
    }
    for (name, query) in actor_shapes(size) {
        let times = time(|| async { store.list_actors(&query).await.map(drop) }).await?;
        row(size, &name, &times);
    }
    // A cursor page at the middle of every sort, beside its first page.
    for sort in [
        "id",
        "-id",
        "title",
        "-title",
        "release_date",
        "-release_date",
    ] {
        let first = movies(sort, MovieFilter::default(), Count::Skip);
        let cursor = middle_cursor_movies(store, &first, deep_page).await?;
        let deep = first.clone().after(&cursor)?;
        let times = time(|| async { store.list_movies(&deep).await.map(drop) }).await?;
        row(
            size,
            &format!("movies sort={sort}, cursor at the middle"),
            &times,
        );
    }
    for sort in ["name", "-age"] {
        let first = actors(sort, ActorFilter::default(), Count::Skip);
        let page = store
            .list_actors(
                &ActorQuery::new(deep_page, 10, None)?
                    .with_sort(first.sort().clone())
                    .with_count(Count::Skip),
            )
            .await?;
        let last = page.items.last().ok_or("the middle page is empty")?;
        let deep = first.clone().after(&first.cursor_after(last))?;
        let times = time(|| async { store.list_actors(&deep).await.map(drop) }).await?;
        row(
            size,
            &format!("actors sort={sort}, cursor at the middle"),
            &times,
        );
    }

    let mut next = 0i64;
    let times = time(|| {
        next = next * 7919 % size + 1;
        let id = MovieId(next);
        async move { store.get_movie(id).await.map(drop) }
    })
    .await?;
    row(size, "get movie by id", &times);
    Ok(())
}

/// The cursor after the last movie of page `page` (of 10) of `first`'s order.
async fn middle_cursor_movies(
    store: &PostgresStore,
    first: &MovieQuery,
    page: u32,
) -> Result<String, Failure> {
    let query = MovieQuery::new(page, 10, None)?
        .with_sort(first.sort().clone())
        .with_count(Count::Skip);
    let listed = store.list_movies(&query).await?;
    let last = listed.items.last().ok_or("the middle page is empty")?;
    Ok(first.cursor_after(last))
}

async fn print_plans(store: &PostgresStore, size: i64) -> Result<(), Failure> {
    let deep_page = u32::try_from(size / 10 / 2)?;
    for (name, query) in movie_shapes(size) {
        print_plan(&name, testing::explain_movies(store, &query).await?);
    }
    for (name, query) in actor_shapes(size) {
        print_plan(&name, testing::explain_actors(store, &query).await?);
    }
    for sort in ["title", "-release_date"] {
        let first = movies(sort, MovieFilter::default(), Count::Skip);
        let cursor = middle_cursor_movies(store, &first, deep_page).await?;
        let deep = first.clone().after(&cursor)?;
        print_plan(
            &format!("movies sort={sort}, cursor at the middle"),
            testing::explain_movies(store, &deep).await?,
        );
    }
    Ok(())
}

fn print_plan(name: &str, lines: Vec<String>) {
    println!("\n### {name}\n\n```text");
    for line in lines {
        println!("{line}");
    }
    println!("```");
}

async fn time<F, Fut>(mut call: F) -> Result<Vec<Duration>, casting_core::StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), casting_core::StoreError>>,
{
    for _ in 0..WARM_UP {
        call().await?;
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        call().await?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok(times)
}

fn row(size: i64, name: &str, sorted: &[Duration]) {
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| {size} | {name} | {:.2} ms | {:.2} ms |",
        ms(at(0.5)),
        ms(at(0.95))
    );
}
