//! The key-set cache against a real loopback key-set server: rotation, cooldown, single flight,
//! background refresh, outages, and servers that misbehave. Time is paused where it matters.

use std::time::Duration;

use crate::support::{Answer, HOUR, KeyServer, jwks_of, verifier, verifier_with};
use casting_auth0::{Auth0Config, Auth0Verifier, CacheSettings, DevIssuer};
use casting_core::AuthError as Error;
use casting_core::{Role, TokenProblem};
use futures_util::future::join_all;
use serde_json::json;

fn token(issuer: &DevIssuer) -> String {
    issuer.token_for_role(Role::CastingAssistant, HOUR)
}

/// Lets spawned tasks (the server, a background refresh) run to completion.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test(start_paused = true)]
async fn a_rotated_key_is_accepted_after_one_download() {
    let old = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&old).await;
    let verifier = verifier(&old, &server);
    verifier.verify_token(&token(&old)).await.unwrap();
    assert_eq!(server.hits(), 1);

    // The tenant rotates: the new key signs, both are published.
    let new = DevIssuer::new().unwrap();
    server.answer(Answer::Json(jwks_of(&[&old, &new])));
    tokio::time::advance(Duration::from_secs(31)).await;
    verifier.verify_token(&token(&new)).await.unwrap();
    assert_eq!(server.hits(), 2, "one download for the new kid");
    verifier.verify_token(&token(&new)).await.unwrap();
    verifier.verify_token(&token(&old)).await.unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_unknown_kids_share_one_download_per_cooldown() {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&issuer).await;
    let verifier = verifier(&issuer, &server);
    verifier.verify_token(&token(&issuer)).await.unwrap();
    assert_eq!(server.hits(), 1);
    tokio::time::advance(Duration::from_secs(31)).await;

    let claims = issuer.claims("auth0|x", ["get:movies"], HOUR);
    let tokens: Vec<String> = (0..50)
        .map(|i| {
            issuer.sign_rs256(
                &json!({ "alg": "RS256", "kid": format!("unknown-{i}") }),
                &claims,
            )
        })
        .collect();
    let results = join_all(tokens.iter().map(|t| verifier.verify_token(t))).await;
    for result in &results {
        assert!(
            matches!(result, Err(Error::InvalidToken(TokenProblem::UnknownKey))),
            "{result:?}"
        );
    }
    assert_eq!(server.hits(), 2, "50 unknown kids, one download");

    // Still within the cooldown: no more downloads.
    tokio::time::advance(Duration::from_secs(20)).await;
    let results = join_all(tokens.iter().map(|t| verifier.verify_token(t))).await;
    assert!(results.iter().all(Result::is_err));
    assert_eq!(server.hits(), 2);

    // After the cooldown: one more.
    tokio::time::advance(Duration::from_secs(11)).await;
    let results = join_all(tokens.iter().map(|t| verifier.verify_token(t))).await;
    assert!(results.iter().all(Result::is_err));
    assert_eq!(server.hits(), 3);
}

#[tokio::test(start_paused = true)]
async fn after_the_ttl_keys_refresh_in_the_background_and_keep_serving() {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&issuer).await;
    let verifier = verifier(&issuer, &server);
    verifier.verify_token(&token(&issuer)).await.unwrap();
    tokio::time::advance(Duration::from_secs(9 * 60)).await;
    verifier.verify_token(&token(&issuer)).await.unwrap();
    assert_eq!(server.hits(), 1, "before the TTL nothing is downloaded");

    // Past the TTL, with a key-set server that takes 3 s: the known kid does not wait.
    tokio::time::advance(Duration::from_secs(2 * 60)).await;
    server.answer(Answer::Slow(
        Duration::from_secs(3),
        issuer.jwks().to_string(),
    ));
    let before = tokio::time::Instant::now();
    verifier.verify_token(&token(&issuer)).await.unwrap();
    assert_eq!(
        before.elapsed(),
        Duration::ZERO,
        "a known kid never waits on a download"
    );
    settle().await;
    tokio::time::advance(Duration::from_secs(4)).await;
    settle().await;
    assert_eq!(server.hits(), 2, "one background refresh");
    verifier.verify_token(&token(&issuer)).await.unwrap();
    assert_eq!(server.hits(), 2, "fresh again");
}

#[tokio::test(start_paused = true)]
async fn during_an_outage_cached_keys_keep_verifying() {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&issuer).await;
    let verifier = verifier(&issuer, &server);
    verifier.verify_token(&token(&issuer)).await.unwrap();

    server.answer(Answer::Status(500));
    for _ in 0..3 {
        tokio::time::advance(Duration::from_secs(15 * 60)).await;
        verifier.verify_token(&token(&issuer)).await.unwrap();
        settle().await;
    }
    assert!(server.hits() >= 2, "background refreshes were tried");
    let tried = server.hits();
    // Many verifications within one cooldown start no more downloads.
    for _ in 0..20 {
        verifier.verify_token(&token(&issuer)).await.unwrap();
    }
    settle().await;
    assert_eq!(server.hits(), tried);
}

#[tokio::test(start_paused = true)]
async fn keys_older_than_the_max_staleness_stop_serving() {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&issuer).await;
    let cache = CacheSettings {
        max_staleness: Duration::from_secs(3600),
        ..CacheSettings::default()
    };
    let verifier = verifier_with(&issuer, &server, cache);
    verifier.verify_token(&token(&issuer)).await.unwrap();
    server.answer(Answer::Status(503));
    tokio::time::advance(Duration::from_secs(3601)).await;
    assert!(matches!(
        verifier.verify_token(&token(&issuer)).await,
        Err(Error::Unavailable(_))
    ));
    // The key set comes back: so does verification.
    server.answer(Answer::Json(issuer.jwks().to_string()));
    verifier.verify_token(&token(&issuer)).await.unwrap();
}

#[tokio::test]
async fn an_outage_with_no_keys_is_unavailable_then_recovers() {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::start(Answer::Status(500)).await;
    let verifier = verifier(&issuer, &server);
    let error = verifier.verify_token(&token(&issuer)).await.unwrap_err();
    assert!(matches!(error, Error::Unavailable(_)), "{error:?}");
    let source = std::error::Error::source(&error).map(ToString::to_string);
    assert!(source.unwrap_or_default().contains("500"));
    server.answer(Answer::Json(issuer.jwks().to_string()));
    verifier.verify_token(&token(&issuer)).await.unwrap();
}

async fn unavailable_with(answer: Answer) {
    let issuer = DevIssuer::new().unwrap();
    let server = KeyServer::start(answer.clone()).await;
    let verifier = verifier(&issuer, &server);
    let result = verifier.verify_token(&token(&issuer)).await;
    assert!(
        matches!(result, Err(Error::Unavailable(_))),
        "{answer:?}: {result:?}"
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn an_html_answer_is_a_failed_download() {
    unavailable_with(Answer::Html).await;
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    unavailable_with(Answer::Status(302)).await;
}

#[tokio::test(start_paused = true)]
async fn a_server_slower_than_the_timeout_is_a_failed_download() {
    let issuer = DevIssuer::new().unwrap();
    unavailable_with(Answer::Slow(
        Duration::from_secs(30),
        issuer.jwks().to_string(),
    ))
    .await;
}

#[tokio::test]
async fn an_empty_key_set_is_a_failed_download() {
    unavailable_with(Answer::Json(r#"{"keys":[]}"#.into())).await;
}

#[tokio::test]
async fn a_set_of_ec_or_encryption_keys_only_is_a_failed_download() {
    let issuer = DevIssuer::new().unwrap();
    let mut enc = issuer.jwk();
    enc["use"] = json!("enc");
    let ec = json!({ "kty": "EC", "kid": "ec", "crv": "P-256", "use": "sig",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" });
    let mut other_alg = issuer.jwk();
    other_alg["alg"] = json!("RS512");
    let jwks = json!({ "keys": [enc, ec, other_alg] });
    unavailable_with(Answer::Json(jwks.to_string())).await;
}

#[tokio::test]
async fn a_key_set_over_one_mebibyte_is_a_failed_download() {
    unavailable_with(Answer::Huge((1 << 20) + 1)).await;
    unavailable_with(Answer::HugeUnannounced(2 << 20)).await;
}

#[test]
fn key_sets_must_come_over_https_or_allowed_loopback_http() {
    let issuer = DevIssuer::new().unwrap();
    let plain = issuer
        .config()
        .with_jwks_uri("http://127.0.0.1:9/jwks.json");
    assert!(matches!(
        Auth0Verifier::new(plain.clone()),
        Err(casting_auth0::ConfigError { .. })
    ));
    assert!(Auth0Verifier::new(plain.allow_insecure_loopback(true)).is_ok());
    let remote = issuer
        .config()
        .with_jwks_uri("http://keys.example/jwks.json")
        .allow_insecure_loopback(true);
    assert!(matches!(
        Auth0Verifier::new(remote),
        Err(casting_auth0::ConfigError { .. })
    ));
    let no_audience = Auth0Config::new("https://x/", vec![]);
    assert!(matches!(
        Auth0Verifier::new(no_audience),
        Err(casting_auth0::ConfigError { .. })
    ));
}

// When is an unknown `kid` 401 and when 503? 401 only when a good download lacks it.

/// A token signed by a key the verifier has never seen (a rotation in progress).
fn token_with_new_kid(issuer: &DevIssuer) -> String {
    let rotated = DevIssuer::new().unwrap();
    let claims = issuer.claims("auth0|x", ["get:movies"], HOUR);
    rotated.sign_rs256(&json!({ "alg": "RS256", "kid": "rotated-key" }), &claims)
}

/// A verifier that downloaded `issuer`'s keys once, successfully.
async fn warm(issuer: &DevIssuer) -> (KeyServer, Auth0Verifier) {
    let server = KeyServer::serving(issuer).await;
    let verifier = verifier(issuer, &server);
    verifier.verify_token(&token(issuer)).await.unwrap();
    assert_eq!(server.hits(), 1);
    (server, verifier)
}

#[tokio::test(start_paused = true)]
async fn unknown_kid_within_the_cooldown_of_a_good_download_is_invalid_token() {
    let issuer = DevIssuer::new().unwrap();
    let (server, verifier) = warm(&issuer).await;
    let result = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert!(
        matches!(result, Err(Error::InvalidToken(TokenProblem::UnknownKey))),
        "{result:?}"
    );
    assert_eq!(server.hits(), 1, "within the cooldown: no download");
}

#[tokio::test(start_paused = true)]
async fn unknown_kid_whose_download_fails_is_unavailable() {
    let issuer = DevIssuer::new().unwrap();
    let (server, verifier) = warm(&issuer).await;
    server.answer(Answer::Status(500));
    tokio::time::advance(Duration::from_secs(31)).await;
    let result = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
    assert_eq!(server.hits(), 2, "one download was tried");
    // The known key keeps working from the cache all along.
    verifier.verify_token(&token(&issuer)).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unknown_kid_within_the_cooldown_of_a_failed_download_is_unavailable() {
    let issuer = DevIssuer::new().unwrap();
    let (server, verifier) = warm(&issuer).await;
    server.answer(Answer::Status(500));
    tokio::time::advance(Duration::from_secs(31)).await;
    let _ = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert_eq!(server.hits(), 2);
    tokio::time::advance(Duration::from_secs(10)).await;
    let result = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
    assert_eq!(server.hits(), 2, "within the cooldown: no second download");
    // The outage ends and the cooldown passes: the rotated key is found.
    server.answer(Answer::Json(issuer.jwks().to_string()));
    tokio::time::advance(Duration::from_secs(21)).await;
    let result = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert!(
        matches!(result, Err(Error::InvalidToken(TokenProblem::UnknownKey))),
        "a good download without the kid: now it is unknown: {result:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn unknown_kid_while_the_key_server_hangs_is_unavailable_after_the_timeout() {
    let issuer = DevIssuer::new().unwrap();
    let (server, verifier) = warm(&issuer).await;
    server.answer(Answer::Slow(
        Duration::from_secs(60),
        issuer.jwks().to_string(),
    ));
    tokio::time::advance(Duration::from_secs(31)).await;
    let result = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
}

#[tokio::test(start_paused = true)]
async fn unknown_kid_after_a_failed_background_refresh_is_unavailable() {
    let issuer = DevIssuer::new().unwrap();
    let (server, verifier) = warm(&issuer).await;
    server.answer(Answer::Status(503));
    // Past the TTL: the next verification starts a background refresh, which fails.
    tokio::time::advance(Duration::from_secs(11 * 60)).await;
    verifier.verify_token(&token(&issuer)).await.unwrap();
    settle().await;
    assert_eq!(server.hits(), 2, "the background refresh ran");
    let result = verifier.verify_token(&token_with_new_kid(&issuer)).await;
    assert!(matches!(result, Err(Error::Unavailable(_))), "{result:?}");
}
