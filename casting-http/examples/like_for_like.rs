//! The like-for-like ceiling: a bare poem-openapi operation that answers `GET /movies` with the
//! same 10-movie JSON body the real server returns for the benchmark's data (same shape, same
//! date strings, same key order), built from memory on each request, with no auth, store or
//! middleware. `scripts/bench-http.sh` computes the real server's ratios against it.
//!
//! `cargo run --release -p casting-http --example like_for_like -- 127.0.0.1:8091`

use poem::listener::TcpListener;
use poem::{Route, Server};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, OpenApiService};

/// A movie as lists show it.
#[derive(Object)]
struct MovieShort {
    id: i64,
    title: String,
    release_date: String,
}

/// One page of movies.
#[derive(Object)]
struct MoviesPage {
    success: bool,
    movies: Vec<MovieShort>,
    total: u64,
    page: u32,
    per_page: u32,
}

struct Api;

#[OpenApi]
impl Api {
    /// The first page of the benchmark's 100 movies.
    #[oai(path = "/movies", method = "get")]
    async fn movies(&self) -> Json<MoviesPage> {
        let movies = (1..=10)
            .map(|id| MovieShort {
                id,
                title: format!("Movie {}", id - 1),
                release_date: "Sat, 08 Feb 2025 00:00:00 GMT".to_owned(),
            })
            .collect();
        Json(MoviesPage {
            success: true,
            movies,
            total: 100,
            page: 1,
            per_page: 10,
        })
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8091".into());
    let api = OpenApiService::new(Api, "like for like", "1");
    Server::new(TcpListener::bind(addr))
        .run(Route::new().nest("/", api))
        .await
}
