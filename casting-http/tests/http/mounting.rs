//! `api_service` mounted alone, under a prefix of a foreign poem application: tokens are checked
//! with the verifier it was given, and every answer keeps the contract's shape.

use std::sync::Arc;

use casting_core::CastingService;
use casting_core::Role::{CastingAssistant, ExecutiveProducer};
use casting_store_memory::MemoryStore;
use poem::web::Json;
use poem::{Route, get, handler};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, auth0_verifier};

#[handler]
fn host_route() -> Json<Value> {
    Json(json!({ "theirs": true }))
}

/// A foreign application with its own route, and the casting API under `/casting`.
async fn foreign_app() -> TestApp {
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let api = casting_http::api_service(service, auth0_verifier().await);
    let routes = Route::new()
        .at("/theirs", get(host_route))
        .nest("/casting", api);
    TestApp::serving(routes).await
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
