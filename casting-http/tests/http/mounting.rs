//! `api_service` mounted alone, under a prefix of a foreign poem application: tokens are checked
//! with the verifier it was given, and every answer keeps the contract's shape.

use std::sync::Arc;

use async_trait::async_trait;
use casting_core::Role::{CastingAssistant, ExecutiveProducer};
use casting_core::{AuthError, CastingService, Permission, Principal, Role, TokenVerifier};
use casting_http::{ApiError, Authenticated, BearerScheme};
use casting_store_memory::MemoryStore;
use poem::web::Json;
use poem::{EndpointExt, Route, get, handler};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, auth0_verifier};

#[handler]
fn host_route() -> Json<Value> {
    Json(json!({ "theirs": true }))
}

/// The host's own endpoint behind the API's authentication: who may read the trail.
#[handler]
fn auditor(caller: Authenticated) -> Result<Json<Value>, ApiError> {
    let who = caller.require(Permission::GetAudit)?;
    Ok(Json(json!({ "auditor": who.subject() })))
}

/// A foreign application with its own routes, and the casting API under `/casting`.
async fn foreign_app() -> TestApp {
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let api = casting_http::api_service(service, auth0_verifier().await);
    let authentication = api.authentication();
    let routes = Route::new()
        .at("/theirs", get(host_route))
        .at("/auditor", get(auditor).with(authentication))
        .nest("/casting", api);
    TestApp::serving(routes).await
}

#[tokio::test]
async fn the_nested_api_serves_its_spec_and_docs_under_its_prefix() {
    let app = foreign_app().await;
    let spec = app
        .call(Method::GET, "/casting/openapi.json", None, None)
        .await;
    spec.expect(200, "");
    assert_eq!(
        spec.body["servers"][0]["url"],
        json!("/casting"),
        "{}",
        spec.text
    );
    assert!(spec.body["paths"]["/movies"].is_object());
    let yaml = app
        .call(Method::GET, "/casting/openapi.yaml", None, None)
        .await;
    yaml.expect(200, "");
    assert!(yaml.text.contains("- url: /casting\n"), "{}", yaml.text);
    let docs = app.call(Method::GET, "/casting/docs", None, None).await;
    docs.expect(200, "");
    assert!(docs.text.contains("SwaggerUIBundle"), "{}", docs.text);
    assert!(
        docs.text.contains(r#""url": "/casting""#),
        "the page's document names the prefix"
    );
    app.call(Method::GET, "/casting/docs/oauth-receiver.html", None, None)
        .await
        .expect(200, "");
    app.call(Method::POST, "/casting/openapi.json", None, None)
        .await
        .expect(405, "method_not_allowed");
}

#[tokio::test]
async fn the_nested_api_says_where_callers_stand_against_their_limit() {
    let app = foreign_app().await;
    let listed = app.get("/casting/movies", CastingAssistant).await;
    listed.expect(200, "");
    assert!(listed.header("ratelimit").is_some(), "{:?}", listed.headers);
    assert!(listed.header("ratelimit-policy").is_some());
}

#[tokio::test]
async fn the_hosts_own_endpoint_authenticates_and_answers_as_the_api_does() {
    let app = foreign_app().await;
    app.call(Method::GET, "/auditor", None, None)
        .await
        .expect(401, "authorization_header_missing");
    app.call(Method::GET, "/auditor", Some("not-a-token"), None)
        .await
        .expect(401, "invalid_token");
    let refused = app.get("/auditor", CastingAssistant).await;
    refused.expect(403, "insufficient_permission");
    assert_eq!(refused.body["details"]["permission"], json!("get:audit"));
    let allowed = app.get("/auditor", ExecutiveProducer).await;
    allowed.expect(200, "");
    assert!(allowed.body["auditor"].is_string(), "{}", allowed.text);
    assert!(allowed.header("ratelimit").is_some());
}

/// Static API keys: the kind of verifier whose refusal is not about a token's signature.
#[derive(Debug)]
struct ApiKeys;

#[async_trait]
impl TokenVerifier for ApiKeys {
    async fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        match token {
            "key-producer" => Ok(Principal::with_role("key:1", Role::ExecutiveProducer)),
            _ => Err(AuthError::Unrecognized),
        }
    }
}

#[tokio::test]
async fn a_verifier_of_api_keys_refuses_neutrally_and_describes_its_scheme() {
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let api = casting_http::api_service(service, Arc::new(ApiKeys))
        .bearer_scheme(BearerScheme::new("An API key from the admin page."));
    let spec: Value = serde_json::from_str(&api.spec()).expect("JSON");
    let scheme = &spec["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!(
        scheme["description"],
        json!("An API key from the admin page.")
    );
    assert!(scheme.get("bearerFormat").is_none(), "{scheme}");
    assert_eq!(scheme["scheme"], json!("bearer"));
    let app = TestApp::serving(Route::new().nest("/api", api)).await;
    let unknown = app
        .call(Method::GET, "/api/movies", Some("key-stolen"), None)
        .await;
    unknown.expect(401, "invalid_token");
    assert_eq!(
        unknown.body["details"]["reason"],
        json!("the credential is not recognised")
    );
    app.call(Method::GET, "/api/movies", Some("key-producer"), None)
        .await
        .expect(200, "");
    let served = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(
        served.body["components"]["securitySchemes"]["bearerAuth"]["description"],
        json!("An API key from the admin page.")
    );
}

#[tokio::test]
async fn the_operations_work_under_a_prefix_of_a_foreign_app() {
    let app = foreign_app().await;
    let created = app
        .post(
            "/casting/movies",
            ExecutiveProducer,
            json!({ "title": "Mounted", "release_date": "08-02-2025" }),
        )
        .await;
    created.expect(200, "");
    let id = created.body["movie"]["id"].as_i64().expect("id");
    let listed = app.get("/casting/movies", CastingAssistant).await;
    listed.expect(200, "");
    assert_eq!(listed.body["movies"][0]["title"], json!("Mounted"));
    assert_eq!(listed.body["total"], json!(1));
    app.get(&format!("/casting/movie-details/{id}"), CastingAssistant)
        .await
        .expect(200, "");
    // The host application's own routes are untouched.
    let host = app.call(Method::GET, "/theirs", None, None).await;
    assert_eq!(host.body, json!({ "theirs": true }));
}

#[tokio::test]
async fn errors_keep_the_contract_shape_when_mounted_alone() {
    let app = foreign_app().await;
    app.call(Method::GET, "/casting/movies", None, None)
        .await
        .expect(401, "authorization_header_missing");
    app.get("/casting/movies/999", CastingAssistant)
        .await
        .expect(404, "not_found");
    app.call(
        Method::DELETE,
        "/casting/movies/1",
        Some(&TestApp::token(CastingAssistant)),
        None,
    )
    .await
    .expect(403, "insufficient_permission");
    app.get("/casting/nothing-here", CastingAssistant)
        .await
        .expect(404, "not_found");
    let wrong_method = app.call(Method::PUT, "/casting/movies", None, None).await;
    wrong_method.expect(405, "method_not_allowed");
    assert_eq!(wrong_method.header("allow"), Some("GET, POST"));
    let bad = app
        .post(
            "/casting/movies",
            ExecutiveProducer,
            json!({ "title": "x" }),
        )
        .await;
    bad.expect(400, "bad_request");
    let too_big = app
        .post(
            "/casting/movies",
            ExecutiveProducer,
            json!({ "title": "x".repeat(70 * 1024), "release_date": "08-02-2025" }),
        )
        .await;
    too_big.expect(413, "payload_too_large");
}
