//! The attack matrix, part two: the claims (`exp`, `nbf`, `iat`, `iss`, `aud`, `permissions`).

use crate::support::{now, setup};
use casting_core::{AuthError as Error, Claim, TokenProblem};
use serde_json::json;

#[tokio::test]
async fn expired_beyond_the_leeway_is_refused() {
    let s = setup().await;
    let token = s.with_claims(json!({ "exp": now() - 60 }));
    assert_refused!(s.verify(&token).await, Error::Expired);
}

#[tokio::test]
async fn expired_within_the_leeway_is_accepted() {
    let s = setup().await;
    let token = s.with_claims(json!({ "exp": now() - 2 }));
    s.verify(&token).await.unwrap();
}

#[tokio::test]
async fn nbf_in_the_future_is_refused() {
    let s = setup().await;
    let token = s.with_claims(json!({ "nbf": now() + 120 }));
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::NotYetValid)
    );
    let token = s.with_claims(json!({ "nbf": now() + 2 }));
    s.verify(&token).await.unwrap();
}

#[tokio::test]
async fn iat_in_the_future_is_refused() {
    let s = setup().await;
    let token = s.with_claims(json!({ "iat": now() + 120 }));
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::NotYetValid)
    );
    let token = s.with_claims(json!({ "iat": now() + 2 }));
    s.verify(&token).await.unwrap();
}

#[tokio::test]
async fn a_wrong_or_missing_issuer_is_refused() {
    let s = setup().await;
    for iss in [
        json!("https://evil.example/"),
        json!("https://casting.dev.invalid"),
        json!(7),
    ] {
        let token = s.with_claims(json!({ "iss": iss }));
        assert!(s.verify(&token).await.is_err(), "{iss}");
    }
    let token = s.with_claims(json!({ "iss": "https://evil.example/" }));
    assert_refused!(s.verify(&token).await, Error::InvalidClaim(Claim::Issuer));
    let token = s.with_claims(json!({ "iss": null }));
    assert_refused!(s.verify(&token).await, Error::InvalidClaim(Claim::Issuer));
}

#[tokio::test]
async fn a_wrong_or_missing_audience_is_refused() {
    let s = setup().await;
    for aud in [
        json!("someone-else"),
        json!(["someone-else", "another"]),
        json!([]),
    ] {
        let token = s.with_claims(json!({ "aud": aud }));
        assert_refused!(s.verify(&token).await, Error::InvalidClaim(Claim::Audience));
    }
    let token = s.with_claims(json!({ "aud": null }));
    assert_refused!(s.verify(&token).await, Error::InvalidClaim(Claim::Audience));
}

#[tokio::test]
async fn an_audience_array_or_string_holding_ours_is_accepted() {
    let s = setup().await;
    let ours = s.issuer.audience().to_owned();
    for aud in [
        json!(ours),
        json!(["https://x/userinfo", ours]),
        json!([ours]),
    ] {
        let token = s.with_claims(json!({ "aud": aud }));
        s.verify(&token).await.unwrap();
    }
}

#[tokio::test]
async fn a_missing_or_string_exp_is_refused() {
    let s = setup().await;
    let token = s.with_claims(json!({ "exp": null }));
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Malformed)
    );
    let token = s.with_claims(json!({ "exp": (now() + 3600).to_string() }));
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Malformed)
    );
}

#[tokio::test]
async fn permissions_must_be_an_array_of_strings() {
    let s = setup().await;
    for permissions in [
        json!("get:movies"),
        json!(["get:movies", 7]),
        json!({ "a": 1 }),
        json!([null]),
    ] {
        let token = s.with_claims(json!({ "permissions": permissions }));
        assert_refused!(
            s.verify(&token).await,
            Error::InvalidToken(TokenProblem::Malformed)
        );
    }
    let token = s.with_claims(json!({ "permissions": null }));
    let principal = s.verify(&token).await.unwrap();
    assert!(
        principal.permissions().is_empty(),
        "an absent claim is no permissions"
    );
}

#[tokio::test]
async fn errors_map_to_the_core_auth_errors() {
    use casting_core::{AuthError, TokenVerifier};
    let s = setup().await;
    let expired = s.with_claims(json!({ "exp": now() - 600 }));
    assert!(matches!(
        s.verifier.verify(&expired).await,
        Err(AuthError::Expired)
    ));
    let wrong_aud = s.with_claims(json!({ "aud": "x" }));
    assert!(matches!(
        s.verifier.verify(&wrong_aud).await,
        Err(AuthError::InvalidClaim(Claim::Audience))
    ));
    assert!(matches!(
        s.verifier.verify("a.b").await,
        Err(AuthError::InvalidToken(TokenProblem::Malformed))
    ));
}
