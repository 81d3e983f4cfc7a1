//! The verified-token cache in the verifier: hits skip verification, time and key rotation are
//! honoured, and nothing but the exact token hits.

use std::time::Duration;

use casting_auth0::{DevIssuer, TokenCacheSettings};
use casting_core::AuthError as Error;
use casting_core::{Role, TokenProblem};

use crate::support::{Answer, HOUR, KeyServer, verifier};

fn token(issuer: &DevIssuer) -> String {
    issuer.token_for_role(Role::CastingDirector, HOUR)
}

/// Lets spawned tasks (a background refresh) run to completion.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn a_hit_does_not_verify_again() {
    let issuer = DevIssuer::new().unwrap();
    let verifier = issuer.verifier().unwrap();
    let token = token(&issuer);
    let first = verifier.verify_token(&token).await.unwrap();
    for _ in 0..10 {
        assert_eq!(verifier.verify_token(&token).await.unwrap(), first);
    }
    let stats = verifier.stats();
    assert_eq!((stats.verifications, stats.cache_hits), (1, 10));
    assert_eq!(stats.cached_tokens, 1);
    // Clones share the cache.
    verifier.clone().verify_token(&token).await.unwrap();
    assert_eq!(verifier.stats().verifications, 1);
}

#[tokio::test]
async fn one_changed_byte_misses_and_is_refused() {
    let issuer = DevIssuer::new().unwrap();
    let verifier = issuer.verifier().unwrap();
    let token = token(&issuer);
    verifier.verify_token(&token).await.unwrap();
    // One character in the middle of the signature, changed.
    let mut forged = token.clone();
    let at = forged.len() - 10;
    let was = &forged[at..=at];
    let with = if was == "A" { "B" } else { "A" };
    forged.replace_range(at..=at, with);
    let refused = verifier.verify_token(&forged).await;
    assert!(
        matches!(refused, Err(Error::InvalidToken(TokenProblem::Signature))),
        "{refused:?}"
    );
    assert_eq!(
        verifier.stats().verifications,
        2,
        "the forged token was verified"
    );
    // The same forged token again: refused from the cache, no second RSA check.
    assert!(verifier.verify_token(&forged).await.is_err());
    assert_eq!(verifier.stats().verifications, 2);
    // The good one still hits.
    verifier.verify_token(&token).await.unwrap();
    assert_eq!(verifier.stats().verifications, 2);
}

#[tokio::test(start_paused = true)]
async fn a_cached_token_expires_at_its_exp() {
    let issuer = DevIssuer::new().unwrap();
    let verifier = issuer.verifier().unwrap();
    let token = issuer.token_for_role(Role::CastingAssistant, Duration::from_secs(30));
    verifier.verify_token(&token).await.unwrap();
    tokio::time::advance(Duration::from_secs(20)).await;
    verifier.verify_token(&token).await.unwrap();
    assert_eq!(verifier.stats().cache_hits, 1);
    // Past exp plus the 5 s leeway: expired, though the signature is as good as ever.
    tokio::time::advance(Duration::from_secs(16)).await;
    let expired = verifier.verify_token(&token).await;
    assert!(matches!(expired, Err(Error::Expired)), "{expired:?}");
}

#[tokio::test(start_paused = true)]
async fn a_rotation_evicts_the_tokens_of_the_key_that_left() {
    let old = DevIssuer::new().unwrap();
    let server = KeyServer::serving(&old).await;
    let verifier = verifier(&old, &server);
    let old_token = token(&old);
    verifier.verify_token(&old_token).await.unwrap();
    verifier.verify_token(&old_token).await.unwrap();
    assert_eq!(verifier.stats().cache_hits, 1);

    // The tenant removes the old key.
    let new = DevIssuer::new().unwrap();
    server.answer(Answer::Json(new.jwks().to_string()));
    tokio::time::advance(Duration::from_secs(11 * 60)).await;
    // Past the TTL: a hit still answers, and starts the refresh that learns of the rotation.
    verifier.verify_token(&old_token).await.unwrap();
    settle().await;
    assert_eq!(server.hits(), 2, "the refresh ran");
    let refused = verifier.verify_token(&old_token).await;
    assert!(
        matches!(refused, Err(Error::InvalidToken(TokenProblem::UnknownKey))),
        "{refused:?}"
    );
    verifier.verify_token(&token(&new)).await.unwrap();
}

#[tokio::test]
async fn the_cache_can_be_turned_off() {
    let issuer = DevIssuer::new().unwrap();
    let config = issuer
        .config()
        .with_token_cache(TokenCacheSettings { max_bytes: 0 });
    let verifier = casting_auth0::Auth0Verifier::with_static_keys(
        config,
        issuer.jwks().to_string().as_bytes(),
    )
    .unwrap();
    let token = token(&issuer);
    for _ in 0..3 {
        verifier.verify_token(&token).await.unwrap();
    }
    let stats = verifier.stats();
    assert_eq!(
        (stats.verifications, stats.cache_hits, stats.cached_tokens),
        (3, 0, 0)
    );
}
