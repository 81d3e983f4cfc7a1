//! How long adopting a large Flask database takes: builds the Flask app's schema in a scratch
//! database with 100,000 movies, 50,000 actors and 500,000 links (a few rows to trim and to
//! quarantine among them), then times `adopt` with `apply` and `quarantine`.
//!
//! ```sh
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo run --release -p casting-store-postgres --example adopt_scale
//! ```
//!
//! It creates (and at the end drops) the database `casting_adopt_scale`. The figure is in
//! `docs/performance.md`.

use std::str::FromStr;
use std::time::Instant;

use casting_store_postgres::testing::FLASK_SCHEMA;
use casting_store_postgres::{AdoptOptions, PoolSettings, adopt};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL").map_err(|_| "set DATABASE_URL")?;
    let admin = PgConnectOptions::from_str(&url)?;
    let mut conn = admin.connect().await?;
    sqlx::query("DROP DATABASE IF EXISTS casting_adopt_scale WITH (FORCE)")
        .execute(&mut conn)
        .await?;
    sqlx::query("CREATE DATABASE casting_adopt_scale")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let pool = PoolSettings::default()
        .pool_options()
        .connect_with(admin.clone().database("casting_adopt_scale"))
        .await?;

    let started = Instant::now();
    sqlx::raw_sql(FLASK_SCHEMA).execute(&pool).await?;
    sqlx::raw_sql(
        "INSERT INTO movies (title, release_date)
             SELECT CASE WHEN g % 10000 = 0 THEN ' Padded ' || g ELSE 'Movie ' || g END,
                    DATE '1925-01-01' + (g % 36000)
             FROM generate_series(1, 100000) AS g;
         INSERT INTO actors (name, age, gender)
             SELECT 'Actor ' || g, CASE WHEN g % 25000 = 0 THEN 200 ELSE g % 90 END,
                    (ARRAY['MALE', 'FEMALE']::gender_enum[])[g % 2 + 1]
             FROM generate_series(1, 50000) AS g;
         INSERT INTO actors_movies (actor_id, movie_id)
             SELECT DISTINCT (m * 7 + k * 9973) % 50000 + 1, m
             FROM generate_series(1, 100000) AS m, generate_series(1, 5) AS k;",
    )
    .execute(&pool)
    .await?;
    sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM actors_movies")
        .fetch_one(&pool)
        .await?;
    eprintln!(
        "filled 100000 movies, 50000 actors, {links} links in {:.1?}",
        started.elapsed()
    );

    let started = Instant::now();
    let report = adopt(
        &pool,
        AdoptOptions {
            apply: true,
            quarantine: true,
        },
    )
    .await?;
    let took = started.elapsed();
    for line in report.lines.iter().filter(|l| !l.starts_with("trim:")) {
        println!("{line}");
    }
    println!("adopted 100000 movies, 50000 actors and {links} links in {took:.2?}");

    pool.close().await;
    let mut conn = admin.connect().await?;
    sqlx::query("DROP DATABASE IF EXISTS casting_adopt_scale WITH (FORCE)")
        .execute(&mut conn)
        .await?;
    Ok(())
}
