//! Rate limits over real loopback sockets: per token subject, per address for failed
//! authentications (without verifying), behind trusted proxies, never on the probes, and off
//! at 0. Windows are short through the settings.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use casting_core::CastingService;
use casting_http::{HttpConfig, RateLimitConfig};
use casting_store_memory::MemoryStore;

use crate::support::{HOUR, ISSUER, TestApp, read, real_verifier, spec};

fn limits(per_minute: u32, burst: u32, failures: u32, trusted: &[&str]) -> HttpConfig {
    HttpConfig {
        rate_limits: RateLimitConfig {
            per_minute,
            burst,
            auth_failures_per_minute: failures,
            trusted_proxies: trusted.iter().map(|t| t.parse().expect("a net")).collect(),
        },
        ..HttpConfig::default()
    }
}

/// The application with these limits, and its verifier (to count signature checks).
async fn app(config: HttpConfig) -> (TestApp, Arc<casting_auth0::Auth0Verifier>) {
    let verifier = real_verifier().await;
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let app = casting_http::app(service, verifier.clone(), &config);
    (TestApp::serving(app).await, verifier)
}

/// A client whose requests come from `source` (any 127.0.0.0/8 address reaches the server).
fn client_from(source: &str) -> reqwest::Client {
    let source: IpAddr = source.parse().expect("an address");
    reqwest::Client::builder()
        .local_address(source)
        .build()
        .expect("client")
}

/// A good token of `subject` that may list movies.
fn token(subject: &str) -> String {
    ISSUER.token_with_permissions(subject, ["get:movies"], HOUR)
}

/// A token with a valid shape and `ISSUER`'s kid whose signature is wrong: the verifier must
/// check the signature to refuse it. `n` makes each one distinct, as a flood's are.
fn forged(n: usize) -> String {
    let good = ISSUER.token_with_permissions(&format!("auth0|forger-{n}"), ["get:movies"], HOUR);
    let (head, signature) = good.rsplit_once('.').expect("three parts");
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    format!("{head}.{flipped}{}", &signature[1..])
}

async fn get(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    token: &str,
    forwarded: Option<&str>,
) -> crate::support::Reply {
    let mut request = client.get(format!("{}{path}", app.url)).bearer_auth(token);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    read(request.send().await.expect("send")).await
}

#[tokio::test]
async fn a_subject_over_its_burst_gets_429_with_retry_after_and_another_subject_does_not() {
    let (app, _) = app(limits(60, 3, 0, &[])).await;
    let client = reqwest::Client::new();
    let alice = token("auth0|alice");
    for remaining in [2, 1, 0] {
        let reply = get(&client, &app, "/movies", &alice, None).await;
        reply.expect(200, "");
        assert_eq!(
            reply.header("ratelimit-policy"),
            Some("\"subject\";q=60;w=60")
        );
        let state = reply.header("ratelimit").expect("RateLimit");
        assert!(
            state.starts_with(&format!("\"subject\";r={remaining};t=")),
            "{state}"
        );
    }
    let refused = get(&client, &app, "/movies", &alice, None).await;
    refused.expect(429, "rate_limited");
    assert_eq!(refused.body["message"], "too many requests");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.body["details"]["retry_after"], 1);
    assert_eq!(
        refused.header("ratelimit-policy"),
        Some("\"subject\";q=60;w=60")
    );
    assert!(
        refused
            .header("ratelimit")
            .is_some_and(|s| s.starts_with("\"subject\";r=0;"))
    );
    // Another subject has its own share, from the same address.
    get(&client, &app, "/movies", &token("auth0|bob"), None)
        .await
        .expect(200, "");
    // After Retry-After, the first one may call again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    get(&client, &app, "/movies", &alice, None)
        .await
        .expect(200, "");
}

#[tokio::test]
async fn failed_authentications_turn_into_429s_without_verification_but_good_tokens_pass() {
    let (app, verifier) = app(limits(0, 0, 3, &[])).await;
    let here = client_from("127.0.0.1");
    let good = token("auth0|good-client");
    get(&here, &app, "/movies", &good, None)
        .await
        .expect(200, "");

    // Three failures are the budget; the fourth goes over it (and is still a 401: its token
    // was checked).
    for n in 0..4 {
        let reply = get(&here, &app, "/movies", &forged(n), None).await;
        reply.expect(401, "invalid_token");
        assert!(
            reply
                .header("ratelimit-policy")
                .is_some_and(|p| p.starts_with("\"auth_failures\";q=3;")),
            "{:?}",
            reply.header("ratelimit-policy")
        );
    }
    let checked = verifier.stats().verifications;

    // Now the address's unverified tokens are refused before any signature check, beyond an
    // allowance of a few verifications a second.
    let mut verified = 0;
    for n in 4..24 {
        let reply = get(&here, &app, "/movies", &forged(n), None).await;
        if reply.status == 401 {
            verified += 1;
            continue;
        }
        reply.expect(429, "rate_limited");
        let wait: u64 = reply
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!((1..=20).contains(&wait), "{wait}");
    }
    assert!(
        verified <= 3,
        "{verified} of 20 forged tokens were verified"
    );
    assert_eq!(
        verifier.stats().verifications,
        checked + verified,
        "only the allowance was verified for a refused address"
    );
    // A token the verifier already holds as good still passes from that address…
    get(&here, &app, "/movies", &good, None)
        .await
        .expect(200, "");
    // …and a good token it has never seen gets in within about a second, on the allowance.
    let started = std::time::Instant::now();
    let new_client = token("auth0|new-client");
    loop {
        let reply = get(&here, &app, "/movies", &new_client, None).await;
        if reply.status == 200 {
            break;
        }
        reply.expect(429, "rate_limited");
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "a good token waited over 1.5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Another address is judged on its own.
    let there = client_from("127.0.0.2");
    get(&there, &app, "/movies", &forged(99), None)
        .await
        .expect(401, "invalid_token");
    get(&there, &app, "/movies", &token("auth0|new-client"), None)
        .await
        .expect(200, "");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_counted() {
    let (app, _) = app(limits(0, 0, 1, &["127.0.0.1/32"])).await;
    let proxy = client_from("127.0.0.1");
    // One failure is the budget: the second puts 203.0.113.1 over it.
    for n in 0..2 {
        get(&proxy, &app, "/movies", &forged(n), Some("203.0.113.1"))
            .await
            .expect(401, "invalid_token");
    }
    get(&proxy, &app, "/movies", &forged(2), Some("203.0.113.1"))
        .await
        .expect(429, "rate_limited");
    // A client that forges a leftmost entry is still itself, the rightmost untrusted one.
    get(
        &proxy,
        &app,
        "/movies",
        &forged(3),
        Some("198.51.100.7, 203.0.113.1"),
    )
    .await
    .expect(429, "rate_limited");
    // Another client behind the same proxy, and the proxy itself without the header, are not.
    get(&proxy, &app, "/movies", &forged(4), Some("203.0.113.2"))
        .await
        .expect(401, "invalid_token");
    get(&proxy, &app, "/movies", &forged(5), None)
        .await
        .expect(401, "invalid_token");

    // Without TRUSTED_PROXIES the header is never believed: every request is the peer's.
    let (app, _) = app_untrusted().await;
    for n in 0..2 {
        get(
            &proxy,
            &app,
            "/movies",
            &forged(n),
            Some(&format!("203.0.113.{n}")),
        )
        .await
        .expect(401, "invalid_token");
    }
    get(&proxy, &app, "/movies", &forged(9), Some("203.0.113.9"))
        .await
        .expect(429, "rate_limited");
}

async fn app_untrusted() -> (TestApp, Arc<casting_auth0::Auth0Verifier>) {
    app(limits(0, 0, 1, &[])).await
}

#[tokio::test]
async fn probes_the_spec_and_swagger_ui_are_never_limited() {
    let (app, _) = app(limits(1, 1, 1, &[])).await;
    let client = reqwest::Client::new();
    for _ in 0..10 {
        for path in [
            "/health",
            "/ready",
            "/openapi.json",
            "/openapi.yaml",
            "/docs",
        ] {
            let reply = get(&client, &app, path, &forged(0), None).await;
            assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text);
            assert!(reply.header("ratelimit").is_none(), "{path}");
        }
    }
}

#[tokio::test]
async fn zero_turns_each_limit_off() {
    let (app, _) = app(limits(0, 0, 0, &[])).await;
    let client = reqwest::Client::new();
    let alice = token("auth0|alice");
    for n in 0..40 {
        let reply = get(&client, &app, "/movies", &alice, None).await;
        reply.expect(200, "");
        assert!(reply.header("ratelimit").is_none());
        get(&client, &app, "/movies", &forged(n), None)
            .await
            .expect(401, "invalid_token");
    }
}

#[test]
fn every_operation_that_needs_a_token_documents_429() {
    let spec = spec();
    let mut seen = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let documented = operation["responses"].get("429").is_some();
            assert_eq!(secured, documented, "{method} {path}");
            if secured {
                seen += 1;
                let headers = operation["responses"]["429"]["headers"]
                    .as_object()
                    .expect("headers");
                assert!(
                    headers
                        .keys()
                        .any(|h| h.eq_ignore_ascii_case("retry-after")),
                    "{method} {path}"
                );
            }
        }
    }
    assert!(seen >= 14, "{seen}");
}

/// A verifier of static keys that keeps no cache of its own (no `known_good`), as an
/// embedder's might be.
#[derive(Debug)]
struct StaticKeys;

#[casting_core::async_trait]
impl casting_core::TokenVerifier for StaticKeys {
    async fn verify(
        &self,
        token: &str,
    ) -> Result<casting_core::Principal, casting_core::AuthError> {
        match token {
            "good-key" => Ok(casting_core::Principal::with_role(
                "key|good",
                casting_core::Role::CastingAssistant,
            )),
            _ => Err(casting_core::AuthError::Unrecognized),
        }
    }
}

#[tokio::test]
async fn a_verifier_without_a_cache_does_not_lock_valid_keys_out_of_a_flooded_address() {
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let app = casting_http::app(service, Arc::new(StaticKeys), &limits(0, 0, 3, &[]));
    let app = TestApp::serving(app).await;
    let office = client_from("127.0.0.3");
    // A broken client behind the same address puts it over its budget.
    for n in 0..10 {
        let reply = get(&office, &app, "/movies", &format!("bad-key-{n}"), None).await;
        assert!(
            [401, 429].contains(&reply.status.as_u16()),
            "{}",
            reply.text
        );
    }
    get(&office, &app, "/movies", "bad-key-x", None)
        .await
        .expect(429, "rate_limited");
    // The valid key gets in within about a second…
    let started = std::time::Instant::now();
    loop {
        let reply = get(&office, &app, "/movies", "good-key", None).await;
        if reply.status == 200 {
            break;
        }
        reply.expect(429, "rate_limited");
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "the valid key waited over 1.5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // …and keeps working while the flood goes on and takes the whole allowance.
    let flood = {
        let (office, url) = (office.clone(), app.url.clone());
        tokio::spawn(async move {
            for n in 0..200 {
                let _ = office
                    .get(format!("{url}/movies"))
                    .bearer_auth(format!("flood-{n}"))
                    .send()
                    .await;
            }
        })
    };
    for _ in 0..20 {
        get(&office, &app, "/movies", "good-key", None)
            .await
            .expect(200, "");
    }
    flood.await.expect("the flood ran");
}
