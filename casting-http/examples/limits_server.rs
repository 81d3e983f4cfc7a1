//! The API under chosen rate limits, for `scripts/bench-limits.sh`: casting-http's `app` over a
//! memory store of 100 movies, tokens checked by the real Auth0 verifier (RS256, a key made at
//! start, the verified-token cache on), and as many tokens of distinct subjects as asked for,
//! written one per line to a file.
//!
//! ```sh
//! cargo run --release -p casting-http --example limits_server -- \
//!     127.0.0.1:18520 /tmp/tokens.txt 1000 <per_minute> <burst> <auth_failures_per_minute>
//! ```

use std::sync::Arc;
use std::time::Duration;

use casting_auth0::DevIssuer;
use casting_core::{CastingService, MovieInput, Principal, ReleaseDate, Role};
use casting_http::{HttpConfig, RateLimitConfig};
use casting_store_memory::MemoryStore;
use poem::Server;
use poem::listener::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, tokens_file, tokens, per_minute, burst, failures] = args.as_slice() else {
        return Err("usage: limits_server ADDR TOKENS_FILE N PER_MINUTE BURST FAILURES".into());
    };
    let issuer = DevIssuer::new()?;
    let verifier = Arc::new(issuer.verifier()?);
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let producer = Principal::with_role("bench|seed", Role::ExecutiveProducer);
    for i in 0..100 {
        let movie = MovieInput {
            title: format!("Movie {i:03}"),
            release_date: ReleaseDate::parse("2000-01-01")?,
            actors: Vec::new(),
        };
        service.create_movie(&producer, movie).await?;
    }
    let lines: Vec<String> = (0..tokens.parse::<usize>()?)
        .map(|i| {
            issuer.token_with_permissions(
                &format!("bench|subject-{i}"),
                ["get:movies"],
                Duration::from_secs(3600),
            )
        })
        .collect();
    std::fs::write(tokens_file, lines.join("\n") + "\n")?;
    let config = HttpConfig {
        rate_limits: RateLimitConfig {
            per_minute: per_minute.parse()?,
            burst: burst.parse()?,
            auth_failures_per_minute: failures.parse()?,
            trusted_proxies: Vec::new(),
        },
        ..HttpConfig::default()
    };
    let app = casting_http::app(service, verifier, &config);
    println!("listening on {addr}");
    Server::new(TcpListener::bind(addr.as_str()))
        .run(app)
        .await?;
    Ok(())
}
