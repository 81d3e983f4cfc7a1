//! The framework's ceiling: one poem handler returning a small JSON body, no auth, no store,
//! no middleware. `scripts/bench-http.sh` measures it beside the real server.
//!
//! `cargo run --release -p casting-http --example bare -- 127.0.0.1:8090`

use poem::listener::TcpListener;
use poem::web::Json;
use poem::{Route, Server, get, handler};
use serde_json::{Value, json};

#[handler]
fn movies() -> Json<Value> {
    Json(json!({
        "success": true,
        "movies": [{ "id": 1, "title": "Amélie", "release_date": "Wed, 25 Apr 2001 00:00:00 GMT" }],
        "total": 1, "page": 1, "per_page": 10
    }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".into());
    Server::new(TcpListener::bind(addr))
        .run(Route::new().at("/movies", get(movies)))
        .await
}
