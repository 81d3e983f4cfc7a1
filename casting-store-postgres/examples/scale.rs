//! How list, search and get costs grow with the table: fills a scratch database with 1,000 and
//! then 1,000,000 movies and times the store's calls at each size.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release -p casting-store-postgres --example scale
//! ```
//!
//! It creates (and at the end drops) the database `casting_scale`. Each row is the median and the
//! 95th percentile of 60 timed calls after 5 warm-up calls. Results are in `docs/performance.md`.

use std::str::FromStr;
use std::time::{Duration, Instant};

use casting_core::{ListQuery, MovieId, Store};
use casting_store_postgres::{PoolSettings, PostgresStore};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

const DATABASE: &str = "casting_scale";
const RUNS: usize = 60;
const WARM_UP: usize = 5;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
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

    println!("| movies | call | median | p95 |");
    println!("|---:|---|---:|---:|");
    let mut filled = 0;
    for size in [1_000i64, 1_000_000] {
        let started = Instant::now();
        fill(&pool, filled, size).await?;
        filled = size;
        eprintln!("filled {size} movies in {:.1?}", started.elapsed());
        report(&store, size).await?;
    }

    store.close().await;
    let mut conn = admin.connect().await?;
    sqlx::query("DROP DATABASE IF EXISTS casting_scale WITH (FORCE)")
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Adds movies `from + 1 ..= to`: every 1,000th title holds "Zebra", every 5th "Star"; each movie
/// has one of 1,000 actors.
async fn fill(pool: &sqlx::PgPool, from: i64, to: i64) -> Result<(), sqlx::Error> {
    if from == 0 {
        sqlx::query(
            "INSERT INTO actors (name, age, gender)
             SELECT 'Actor ' || g, g % 100, (ARRAY['Female','Male','Other'])[g % 3 + 1]
             FROM generate_series(1, 1000) AS g",
        )
        .execute(pool)
        .await?;
    }
    sqlx::query(
        "INSERT INTO movies (title, release_date)
         SELECT 'Movie ' || g
                || CASE WHEN g % 1000 = 0 THEN ' Zebra' WHEN g % 5 = 0 THEN ' Star' ELSE '' END,
                DATE '1950-01-01' + (g % 27000)::int
         FROM generate_series($1 + 1, $2) AS g",
    )
    .bind(from)
    .bind(to)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO actors_movies (movie_id, actor_id)
         SELECT id, id % 1000 + 1 FROM movies WHERE id > $1",
    )
    .bind(from)
    .execute(pool)
    .await?;
    sqlx::query("VACUUM ANALYZE movies").execute(pool).await?;
    sqlx::query("VACUUM ANALYZE actors_movies")
        .execute(pool)
        .await?;
    Ok(())
}

async fn report(store: &PostgresStore, size: i64) -> Result<(), Box<dyn std::error::Error>> {
    let deep = u32::try_from(size / 10 / 2)?;
    let calls: [(&str, ListQuery); 5] = [
        ("list page 1", ListQuery::default()),
        ("list deep page (middle)", ListQuery::new(deep, 10, None)?),
        ("list q rare (0.1 %)", ListQuery::new(1, 10, Some("zebra"))?),
        ("list q common (20 %)", ListQuery::new(1, 10, Some("star"))?),
        (
            "list q no match",
            ListQuery::new(1, 10, Some("nothing like it"))?,
        ),
    ];
    for (name, query) in calls {
        let times = time(|| async { store.list_movies(&query).await.map(drop) }).await?;
        row(size, name, &times);
    }
    let mut next = 0i64;
    let times = time(|| {
        next = next * 7919 % size + 1;
        let id = MovieId(next);
        async move { store.get_movie(id).await.map(drop) }
    })
    .await?;
    row(size, "get by id", &times);
    Ok(())
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
