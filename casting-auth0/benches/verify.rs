//! One token verification with warm keys, without and with the verified-token cache: the
//! per-request cost of authentication, which bounds the server's authenticated throughput.
//!
//! `cargo bench -p casting-auth0 --all-features`. Figures are in `docs/performance.md`.

use std::hint::black_box;
use std::time::Duration;

use casting_auth0::{Auth0Verifier, DevIssuer, TokenCacheSettings};
use casting_core::Role;
use criterion::{Criterion, criterion_group, criterion_main};

fn verification(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let issuer = DevIssuer::new().expect("key");
    // A static key set is the warm key cache: the key is found in memory, nothing is downloaded.
    let uncached = Auth0Verifier::with_static_keys(
        issuer
            .config()
            .with_token_cache(TokenCacheSettings { max_bytes: 0 }),
        issuer.jwks().to_string().as_bytes(),
    )
    .expect("verifier");
    let verifier = issuer.verifier().expect("verifier");
    let token = issuer.token_for_role(Role::ExecutiveProducer, Duration::from_secs(3600));
    runtime
        .block_on(verifier.verify_token(&token))
        .expect("the token verifies");

    c.bench_function(
        "verify_token RS256-2048, warm keys, token cache off (miss)",
        |b| {
            b.to_async(&runtime)
                .iter(|| async { uncached.verify_token(black_box(&token)).await })
        },
    );
    c.bench_function("verify_token, token cache hit", |b| {
        b.to_async(&runtime)
            .iter(|| async { verifier.verify_token(black_box(&token)).await })
    });
}

criterion_group!(benches, verification);
criterion_main!(benches);
