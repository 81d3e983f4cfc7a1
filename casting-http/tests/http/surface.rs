//! Around the operations: 405 and `Allow`, unknown paths, CORS, health and readiness, the docs
//! and the spec, request ids, panics, internal errors and unavailable dependencies.

use std::sync::Arc;
use std::time::Duration;

use crate::support::{ISSUER, TestApp};
use async_trait::async_trait;
use casting_auth0::Auth0Verifier;
use casting_core::Role::{CastingAssistant, ExecutiveProducer};
use casting_core::{
    Actor, ActorCredit, ActorId, ActorPatch, ActorQuery, ActorSummary, AuditEntry, AuditQuery,
    Cast, Created, Edit, Idempotency, Movie, MovieId, MoviePatch, MovieQuery, MovieSummary,
    NewActor, NewCast, NewMovie, Page, Restored, Store, StoreError as Error, StoreResult as Result,
};
use casting_http::HttpConfig;
use casting_store_memory::MemoryStore;
use casting_store_postgres::{PoolSettings, PostgresStore};
use reqwest::Method;
use serde_json::json;

async fn memory_app(config: HttpConfig) -> TestApp {
    TestApp::over(Arc::new(MemoryStore::new()), config).await
}

async fn send(app: &TestApp, request: reqwest::RequestBuilder) -> crate::support::Reply {
    let _ = app;
    crate::support::read(request.send().await.unwrap()).await
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = memory_app(HttpConfig::default()).await;
    for (method, path, allow) in [
        (Method::PUT, "/movies", "GET, POST"),
        (Method::DELETE, "/actors", "GET, POST"),
        (Method::POST, "/movie-details/1", "GET"),
        (Method::PUT, "/movies/1", "GET, PATCH, DELETE"),
        (Method::POST, "/actors/7", "GET, PATCH, DELETE"),
        (Method::DELETE, "/health", "GET"),
        (Method::POST, "/openapi.json", "GET"),
    ] {
        let reply = send(
            &app,
            app.http
                .request(method.clone(), format!("{}{path}", app.url)),
        )
        .await;
        reply.expect(405, "method_not_allowed");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let app = memory_app(HttpConfig::default()).await;
    for path in [
        "/nothing",
        "/movies/1/extra",
        "/moviesx",
        "/movie-details",
        "/api/movies",
    ] {
        let reply = app.get(path, ExecutiveProducer).await;
        reply.expect(404, "not_found");
    }
}

#[tokio::test]
async fn cors_preflight_is_answered_for_any_origin_by_default() {
    let app = memory_app(HttpConfig::default()).await;
    let reply = send(
        &app,
        app.http
            .request(Method::OPTIONS, format!("{}/movies/1", app.url))
            .header("origin", "https://app.example")
            .header("access-control-request-method", "PATCH")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            ),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let methods = reply
        .header("access-control-allow-methods")
        .unwrap_or_default();
    for method in ["GET", "POST", "PATCH", "DELETE", "OPTIONS"] {
        assert!(methods.contains(method), "{methods}");
    }
    let headers = reply
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("content-type"),
        "{headers}"
    );
    assert_eq!(reply.header("access-control-allow-credentials"), None);

    // A cross-origin error is readable by the browser too.
    let reply = send(
        &app,
        app.http
            .get(format!("{}/movies", app.url))
            .header("origin", "https://app.example"),
    )
    .await;
    reply.expect(401, "authorization_header_missing");
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example")
    );
}

#[tokio::test]
async fn configured_origins_are_the_only_ones_allowed() {
    let app = memory_app(HttpConfig {
        allowed_origins: Some(vec!["https://ok.example".into()]),
        ..HttpConfig::default()
    })
    .await;
    let preflight = |origin: &'static str| {
        app.http
            .request(Method::OPTIONS, format!("{}/movies", app.url))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
    };
    let reply = send(&app, preflight("https://ok.example")).await;
    assert_eq!(reply.status.as_u16(), 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://ok.example")
    );
    let reply = send(&app, preflight("https://evil.example")).await;
    reply.expect(403, "cors_rejected");
    assert_eq!(reply.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn health_ready_root_docs_and_spec_are_public() {
    let app = memory_app(HttpConfig::default()).await;
    let health = send(&app, app.http.get(format!("{}/health", app.url))).await;
    assert_eq!(
        (health.status.as_u16(), &health.body["status"]),
        (200, &json!("ok"))
    );
    let ready = send(&app, app.http.get(format!("{}/ready", app.url))).await;
    assert_eq!(
        (ready.status.as_u16(), &ready.body["status"]),
        (200, &json!("ready"))
    );

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = no_redirects
        .get(format!("{}/", app.url))
        .send()
        .await
        .unwrap();
    assert!(root.status().is_redirection());
    assert_eq!(root.headers()["location"], "/docs");

    let docs = send(&app, app.http.get(format!("{}/docs", app.url))).await;
    assert_eq!(docs.status.as_u16(), 200);
    assert!(
        docs.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
    assert!(
        docs.text.contains("SwaggerUIBundle"),
        "Swagger UI is served"
    );
    for cdn in ["unpkg.com", "cdn.jsdelivr", "cdnjs"] {
        assert!(
            !docs.text.contains(cdn),
            "Swagger UI must work offline: found {cdn}"
        );
    }
    let spec = send(&app, app.http.get(format!("{}/openapi.json", app.url))).await;
    assert_eq!(spec.body["openapi"], json!("3.0.0"));
    assert!(spec.body["paths"]["/movies"].is_object());
    let yaml = send(&app, app.http.get(format!("{}/openapi.yaml", app.url))).await;
    assert!(
        yaml.text.contains("openapi: 3.0.0"),
        "{}",
        &yaml.text[..100.min(yaml.text.len())]
    );
}

#[tokio::test]
async fn every_response_has_a_request_id_and_a_sane_one_is_kept() {
    let app = memory_app(HttpConfig::default()).await;
    let reply = app.get("/movies", CastingAssistant).await;
    let first = reply.header("x-request-id").unwrap().to_owned();
    let reply = app.get("/movies", CastingAssistant).await;
    assert_ne!(reply.header("x-request-id").unwrap(), first);
    let given = send(
        &app,
        app.http
            .get(format!("{}/health", app.url))
            .header("x-request-id", "trace-42.a_b"),
    )
    .await;
    assert_eq!(given.header("x-request-id"), Some("trace-42.a_b"));
    let odd = send(
        &app,
        app.http
            .get(format!("{}/health", app.url))
            .header("x-request-id", "x".repeat(100)),
    )
    .await;
    assert_ne!(odd.header("x-request-id"), Some("x".repeat(100).as_str()));
}

/// A store whose list panics and whose other calls fail with a secret in the error.
#[derive(Debug)]
struct FaultyStore;

fn leak() -> Error {
    Error::internal("password=hunter2 at db.internal:5432")
}

#[async_trait]
impl Store for FaultyStore {
    async fn list_movies(&self, _: &MovieQuery) -> Result<Page<MovieSummary>> {
        panic!("the store exploded");
    }
    async fn get_movie(&self, _: MovieId) -> Result<Movie> {
        Err(leak())
    }
    async fn create_movie(
        &self,
        _: NewMovie,
        _: &Edit,
        _: Option<&Idempotency>,
    ) -> Result<Created<Movie>> {
        Err(leak())
    }
    async fn update_movie(&self, _: MovieId, _: MoviePatch, _: &Edit) -> Result<Movie> {
        Err(leak())
    }
    async fn delete_movie(&self, _: MovieId, _: &Edit) -> Result<Movie> {
        Err(leak())
    }
    async fn list_actors(&self, _: &ActorQuery) -> Result<Page<ActorSummary>> {
        Err(Error::unavailable("connection refused by db.internal"))
    }
    async fn get_actor(&self, _: ActorId) -> Result<Actor> {
        Err(leak())
    }
    async fn create_actor(
        &self,
        _: NewActor,
        _: &Edit,
        _: Option<&Idempotency>,
    ) -> Result<Created<Actor>> {
        Err(leak())
    }
    async fn update_actor(&self, _: ActorId, _: ActorPatch, _: &Edit) -> Result<Actor> {
        Err(leak())
    }
    async fn delete_actor(&self, _: ActorId, _: &Edit) -> Result<Actor> {
        Err(leak())
    }
    async fn restore_movie(&self, _: MovieId, _: &Edit) -> Result<Restored<Movie>> {
        Err(leak())
    }
    async fn restore_actor(&self, _: ActorId, _: &Edit) -> Result<Restored<Actor>> {
        Err(leak())
    }
    async fn get_cast(&self, _: MovieId) -> Result<Cast> {
        Err(leak())
    }
    async fn replace_cast(&self, _: MovieId, _: NewCast, _: &Edit) -> Result<Cast> {
        Err(leak())
    }
    async fn get_credits(&self, _: ActorId) -> Result<Vec<ActorCredit>> {
        Err(leak())
    }
    async fn list_audit(&self, _: &AuditQuery) -> Result<Page<AuditEntry>> {
        Err(leak())
    }
    async fn read_log(
        &self,
        _: &casting_core::audit::log::LogQuery,
    ) -> Result<casting_core::audit::log::LogPage> {
        Err(leak())
    }
    async fn wait_for_log(
        &self,
        _: casting_core::audit::log::Cursor,
        _: std::time::Duration,
    ) -> Result<()> {
        Err(leak())
    }
    async fn ping(&self) -> Result<()> {
        Err(leak())
    }
}

#[tokio::test]
async fn panics_and_internal_errors_are_500_and_show_nothing() {
    let app = TestApp::over(Arc::new(FaultyStore), HttpConfig::default()).await;
    let reply = app.get("/movies", CastingAssistant).await;
    reply.expect(500, "internal_server_error");
    assert!(!reply.text.contains("exploded"), "{}", reply.text);
    for path in [
        "/movies/1",
        "/actors/1",
        "/movies/1/cast",
        "/actors/1/credits",
    ] {
        let reply = app.get(path, CastingAssistant).await;
        reply.expect(500, "internal_server_error");
        assert!(!reply.text.contains("hunter2"), "{}", reply.text);
        assert_eq!(reply.body["details"], json!({}));
    }
    let reply = app.get("/actors", CastingAssistant).await;
    reply.expect(503, "unavailable");
    assert!(!reply.text.contains("db.internal"), "{}", reply.text);
    assert_eq!(reply.header("retry-after"), Some("5"));
    // The server keeps serving after a panic.
    let again = app.get("/movies", CastingAssistant).await;
    again.expect(500, "internal_server_error");
}

#[tokio::test]
async fn a_store_that_is_down_makes_ready_and_operations_503() {
    let settings = PoolSettings {
        acquire_timeout: Duration::from_millis(300),
        ..PoolSettings::default()
    };
    let pool = settings
        .pool_options()
        .connect_lazy("postgres://postgres@127.0.0.1:1/none")
        .unwrap();
    let app = TestApp::over(Arc::new(PostgresStore::new(pool)), HttpConfig::default()).await;
    let ready = send(&app, app.http.get(format!("{}/ready", app.url))).await;
    ready.expect(503, "unavailable");
    assert_eq!(ready.header("retry-after"), Some("5"));
    let health = send(&app, app.http.get(format!("{}/health", app.url))).await;
    assert_eq!(health.status.as_u16(), 200, "the process still runs");
    app.get("/movies", CastingAssistant)
        .await
        .expect(503, "unavailable");
    // Permission still comes first.
    app.delete("/movies/1", CastingAssistant)
        .await
        .expect(403, "insufficient_permission");
}

#[tokio::test]
async fn no_signing_keys_is_503_not_401() {
    let config = ISSUER
        .config()
        .with_jwks_uri("http://127.0.0.1:1/.well-known/jwks.json")
        .allow_insecure_loopback(true);
    let verifier = Arc::new(Auth0Verifier::new(config).unwrap());
    let app = TestApp::with(
        Arc::new(MemoryStore::new()),
        verifier,
        HttpConfig::default(),
    )
    .await;
    let reply = app.get("/movies", CastingAssistant).await;
    reply.expect(503, "unavailable");
    assert_eq!(reply.header("retry-after"), Some("5"));
    // A token refused before any key lookup is still a 401.
    app.call(Method::GET, "/movies", Some("a.b"), None)
        .await
        .expect(401, "invalid_token");
}

/// A "database" that accepts connections and never says a word: the outage where every query
/// waits out the pool's acquire timeout.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("postgres://postgres@{addr}/none")
}

#[tokio::test]
async fn ready_answers_503_within_its_timeout_while_the_database_hangs() {
    // The pool would wait its full 5 s; /ready must not.
    let pool = PoolSettings::default()
        .pool_options()
        .connect_lazy(&black_hole().await)
        .unwrap();
    let config = HttpConfig {
        ready_timeout: Duration::from_millis(500),
        ..HttpConfig::default()
    };
    let app = TestApp::over(Arc::new(PostgresStore::new(pool)), config).await;
    let started = std::time::Instant::now();
    let ready = send(&app, app.http.get(format!("{}/ready", app.url))).await;
    let took = started.elapsed();
    ready.expect(503, "unavailable");
    assert_eq!(ready.header("retry-after"), Some("5"));
    assert!(
        took < Duration::from_millis(1500),
        "/ready took {took:?} with a 500 ms ready timeout"
    );
}
