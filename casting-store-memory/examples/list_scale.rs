//! What a list costs the memory store at 100,000 movies: fills a store, then times list calls
//! (median and 95th percentile of 60 calls after 5 warm-up calls).
//!
//! ```sh
//! cargo run --release -p casting-store-memory --example list_scale
//! ```
//!
//! Results are in `docs/performance.md`.

use std::time::{Duration, Instant};

use casting_core::{
    Count, Edit, MovieFilter, MovieQuery, NewMovie, ReleaseDate, Sort, Store, StoreError, Title,
};
use casting_store_memory::MemoryStore;

const MOVIES: usize = 100_000;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let store = MemoryStore::new();
    for i in 0..MOVIES {
        let day = ReleaseDate::parse("1925-01-01")?.date() + chrono_days(i * 7919 % 36_525);
        store
            .create_movie(
                NewMovie::new(
                    Title::parse(&format!("Movie {}", i * 2_654_435_761 % 1_000_003))?,
                    ReleaseDate::try_from(day)?,
                ),
                &Edit::now("example|list-scale"),
                None,
            )
            .await?;
    }
    let by = |sort: &str, count| {
        MovieQuery::new(1, 10, None).map(|q| {
            q.with_sort(Sort::parse(sort).expect("sort"))
                .with_count(count)
        })
    };
    let year = MovieFilter::new(
        Some(ReleaseDate::parse("2000-01-01")?),
        Some(ReleaseDate::parse("2000-12-31")?),
        [],
    )?;
    let deep = {
        let first = by("title", Count::Skip)?;
        let middle = store
            .list_movies(
                &MovieQuery::new(5_000, 10, None)?
                    .with_sort(first.sort().clone())
                    .with_count(Count::Skip),
            )
            .await?;
        let last = middle.items.last().ok_or("empty middle page")?;
        first.clone().after(&first.cursor_after(last))?
    };
    let calls = [
        ("page 1, defaults (by id, counted)", MovieQuery::default()),
        ("page 1, sort=title, count=none", by("title", Count::Skip)?),
        (
            "page 1, sort=-release_date, count=none",
            by("-release_date", Count::Skip)?,
        ),
        ("cursor page at depth 50,000, sort=title", deep),
        (
            "page 5,000 by number (offset 49,990), sort=title",
            MovieQuery::new(5_000, 10, None)?.with_sort(Sort::parse("title")?),
        ),
        (
            "one year of releases, counted",
            MovieQuery::default().with_filter(year),
        ),
        ("q rare", MovieQuery::new(1, 10, Some("Movie 99999"))?),
    ];
    println!("| {MOVIES} movies, memory store | median | p95 |");
    println!("|---|---:|---:|");
    for (name, query) in calls {
        let times = time(|| async { store.list_movies(&query).await.map(drop) }).await?;
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {name} | {:.3} ms | {:.3} ms |",
            ms(at(0.5)),
            ms(at(0.95))
        );
    }
    Ok(())
}

fn chrono_days(days: usize) -> chrono::Days {
    chrono::Days::new(days as u64)
}

async fn time<F, Fut>(mut call: F) -> Result<Vec<Duration>, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    for _ in 0..5 {
        call().await?;
    }
    let mut times = Vec::with_capacity(60);
    for _ in 0..60 {
        let started = Instant::now();
        call().await?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok(times)
}
