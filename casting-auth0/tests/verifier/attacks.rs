//! The attack matrix, part one: the token's shape, header, algorithm and keys. Each row is its
//! own test, against a verifier that downloads keys from a real loopback key-set server.

use std::time::Duration;

use crate::support::{HOUR, KeyServer, b64, hs256, raw_token, setup};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use casting_auth0::DevIssuer;
use casting_core::AuthError as Error;
use casting_core::{Permission, TokenProblem};
use serde_json::json;

#[tokio::test]
async fn a_good_token_gives_its_subject_and_permissions() {
    let s = setup().await;
    let token = s.issuer.token_with_permissions(
        "auth0|42",
        ["get:movies", "del:actors", "read:billing"],
        HOUR,
    );
    let principal = s.verify(&token).await.unwrap();
    assert_eq!(principal.subject(), "auth0|42");
    assert_eq!(
        principal.permissions().iter().collect::<Vec<_>>(),
        [Permission::GetMovies, Permission::DeleteActors]
    );
    assert_eq!(s.server.hits(), 1);
    // A second token: no new download.
    s.verify(&token).await.unwrap();
    assert_eq!(s.server.hits(), 1);
}

#[tokio::test]
async fn alg_none_in_any_case_is_refused_before_any_download() {
    let s = setup().await;
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = json!({ "alg": alg, "kid": s.issuer.kid() });
        for token in [
            raw_token(&header, &s.claims(), b""),
            format!("{}.{}.", b64(&header), b64(&s.claims())),
            raw_token(&header, &s.claims(), b"sig"),
        ] {
            assert_refused!(s.verify(&token).await, Error::InvalidToken(_));
        }
        assert_refused!(
            s.verify(&raw_token(&header, &s.claims(), b"sig")).await,
            Error::InvalidToken(TokenProblem::Algorithm)
        );
    }
    assert_eq!(
        s.server.hits(),
        0,
        "nothing is downloaded for a refused algorithm"
    );
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let s = setup().await;
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": s.issuer.kid() });
    let token = hs256(&header, &s.claims(), &s.issuer.public_key_der());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Algorithm)
    );
    let n = s.issuer.jwk()["n"].as_str().unwrap().to_owned();
    let token = hs256(&header, &s.claims(), n.as_bytes());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Algorithm)
    );
    assert_eq!(s.server.hits(), 0);
}

#[tokio::test]
async fn hs256_whose_kid_names_an_oct_key_in_the_set_is_refused() {
    let issuer = DevIssuer::new().unwrap();
    let secret = b"shared-secret-from-the-key-set";
    let jwks = json!({ "keys": [
        issuer.jwk(),
        { "kty": "oct", "kid": "hmac", "k": URL_SAFE_NO_PAD.encode(secret) },
    ]});
    let server = KeyServer::start(crate::support::Answer::Json(jwks.to_string())).await;
    let verifier = crate::support::verifier(&issuer, &server);
    let claims = issuer.claims("auth0|x", ["get:movies"], HOUR);
    let token = hs256(&json!({ "alg": "HS256", "kid": "hmac" }), &claims, secret);
    assert_refused!(
        verifier.verify_token(&token).await,
        Error::InvalidToken(TokenProblem::Algorithm)
    );
    // Even with RS256 named, the oct key is not in the usable set.
    let token = hs256(&json!({ "alg": "RS256", "kid": "hmac" }), &claims, secret);
    assert_refused!(
        verifier.verify_token(&token).await,
        Error::InvalidToken(TokenProblem::UnknownKey)
    );
}

#[tokio::test]
async fn ps256_and_es256_are_refused() {
    let s = setup().await;
    let ps = json!({ "alg": "PS256", "kid": s.issuer.kid() });
    let token = s.issuer.sign_ps256(&ps, &s.claims());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Algorithm)
    );
    for alg in ["ES256", "ES384", "EdDSA", "RS384", "RS512", "HS512"] {
        let header = json!({ "alg": alg, "kid": s.issuer.kid() });
        let token = raw_token(&header, &s.claims(), &[7; 64]);
        assert_refused!(
            s.verify(&token).await,
            Error::InvalidToken(TokenProblem::Algorithm)
        );
    }
    assert_eq!(s.server.hits(), 0);
}

#[tokio::test]
async fn rs256_from_another_key_with_our_kid_is_refused_without_a_new_download() {
    let s = setup().await;
    s.verify(&s.issuer.sign(&s.claims())).await.unwrap();
    let attacker = DevIssuer::new().unwrap();
    let token = attacker.sign_rs256(&s.header(), &s.claims());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Signature)
    );
    assert_eq!(s.server.hits(), 1, "a known kid never triggers a download");
}

#[tokio::test]
async fn an_unknown_kid_downloads_once_then_is_refused() {
    let s = setup().await;
    let header = json!({ "alg": "RS256", "kid": "not-ours" });
    let token = s.issuer.sign_rs256(&header, &s.claims());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::UnknownKey)
    );
    assert_eq!(s.server.hits(), 1);
    // Within the cooldown, no second download.
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::UnknownKey)
    );
    assert_eq!(s.server.hits(), 1);
}

#[tokio::test]
async fn a_missing_kid_is_malformed() {
    let s = setup().await;
    let token = s
        .issuer
        .sign_rs256(&json!({ "alg": "RS256", "typ": "JWT" }), &s.claims());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Malformed)
    );
    assert_eq!(s.server.hits(), 0);
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let s = setup().await;
    let token = s.issuer.sign(&s.claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut claims = s.claims();
    claims["permissions"] = json!(Permission::ALL.map(|p| p.as_str()));
    parts[1] = b64(&claims);
    assert_refused!(
        s.verify(&parts.join(".")).await,
        Error::InvalidToken(TokenProblem::Signature)
    );
    // Flipping one signature character also fails.
    let mut signature = parts[2].clone().into_bytes();
    signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
    let token = format!(
        "{}.{}.{}",
        b64(&s.header()),
        b64(&s.claims()),
        String::from_utf8(signature).unwrap()
    );
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Signature)
    );
}

#[tokio::test]
async fn two_four_or_five_segments_are_malformed() {
    let s = setup().await;
    let token = s.issuer.sign(&s.claims());
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        parts[..2].join("."),
        format!("{token}.{}", parts[2]),
        format!("{token}.{}.{}", parts[1], parts[2]),
        String::from("."),
        String::from(".."),
        String::new(),
    ] {
        assert_refused!(
            s.verify(&bad).await,
            Error::InvalidToken(TokenProblem::Malformed)
        );
    }
    assert_eq!(s.server.hits(), 0);
}

#[tokio::test]
async fn bad_base64_is_malformed() {
    let s = setup().await;
    let token = s.issuer.sign(&s.claims());
    let parts: Vec<&str> = token.split('.').collect();
    for bad in [
        format!("*{}.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}!.{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}$", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", b64(&"not json"), parts[1], parts[2]),
    ] {
        assert_refused!(s.verify(&bad).await, Error::InvalidToken(_));
    }
    let bad_payload = format!("{}.{}!.{}", parts[0], parts[1], parts[2]);
    assert_refused!(
        s.verify(&bad_payload).await,
        Error::InvalidToken(TokenProblem::Malformed)
    );
}

#[tokio::test]
async fn an_oversized_token_is_refused_before_parsing() {
    let s = setup().await;
    let mut claims = s.claims();
    claims["padding"] = json!("x".repeat(20 * 1024));
    let token = s.issuer.sign(&claims);
    assert!(token.len() > 16 * 1024);
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Malformed)
    );
    assert_eq!(s.server.hits(), 0);
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let s = setup().await;
    let header = json!({ "alg": "RS256", "kid": s.issuer.kid(), "crit": ["b64"], "b64": false });
    let token = s.issuer.sign_rs256(&header, &s.claims());
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Algorithm)
    );
}

#[tokio::test]
async fn an_attacker_key_in_jwk_or_jku_headers_is_never_used() {
    let s = setup().await;
    let attacker = DevIssuer::new().unwrap();
    let attacker_server = KeyServer::serving(&attacker).await;
    let claims = s.claims();

    // Our kid, the attacker's key embedded as `jwk`: verified against our key, so it fails.
    let header = json!({ "alg": "RS256", "kid": s.issuer.kid(), "jwk": attacker.jwk() });
    let token = attacker.sign_rs256(&header, &claims);
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::Signature)
    );

    // The attacker's kid, with `jku`/`x5u` pointing at the attacker's key set: unknown kid.
    let header = json!({
        "alg": "RS256",
        "kid": attacker.kid(),
        "jku": attacker_server.url,
        "x5u": attacker_server.url,
        "jwk": attacker.jwk(),
    });
    let token = attacker.sign_rs256(&header, &claims);
    assert_refused!(
        s.verify(&token).await,
        Error::InvalidToken(TokenProblem::UnknownKey)
    );
    assert_eq!(
        attacker_server.hits(),
        0,
        "the attacker's key set is never fetched"
    );
}

#[tokio::test]
async fn the_static_key_set_verifier_needs_no_network() {
    let issuer = DevIssuer::new().unwrap();
    let verifier = issuer.verifier().unwrap();
    let token = issuer.token_for_role(casting_core::Role::CastingDirector, Duration::from_secs(60));
    let principal = verifier.verify_token(&token).await.unwrap();
    assert_eq!(
        principal.permissions(),
        casting_core::Role::CastingDirector.permissions()
    );
    let other = DevIssuer::new().unwrap();
    let token = other.token_for_role(casting_core::Role::ExecutiveProducer, HOUR);
    assert_refused!(
        verifier.verify_token(&token).await,
        Error::InvalidToken(TokenProblem::UnknownKey)
    );
}
