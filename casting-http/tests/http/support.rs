//! The application on a real port (`127.0.0.1:0`), a reqwest client, and development tokens
//! checked by the real Auth0 verifier against a loopback key-set server.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use casting_auth0::{Auth0Verifier, DevIssuer};
use casting_core::{CastingService, Role, Store, TokenVerifier};
use casting_http::{ConnectionLimits, HttpConfig, LimitedAcceptor, RateLimitConfig};
use casting_store_memory::MemoryStore;
use casting_store_postgres::testing::{self, TestDatabase};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{EndpointExt, Route, get, handler, web::Json};
use reqwest::{Method, StatusCode, header::HeaderMap};
use serde_json::{Value, json};

/// One key for the whole test binary (key generation is the slow part).
pub static ISSUER: LazyLock<DevIssuer> = LazyLock::new(|| DevIssuer::new().expect("key"));

pub const HOUR: Duration = Duration::from_secs(3600);

/// A running application.
pub struct TestApp {
    pub url: String,
    pub http: reqwest::Client,
    pub database: Option<TestDatabase>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The contract's `code` of an error body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status and, for errors, the contract's shape and code.
    #[track_caller]
    pub fn expect(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        if status >= 400 {
            assert_error_shape(self);
            assert_eq!(self.code(), code, "{}", self.text);
        }
        self
    }
}

/// Every error body: `success: false`, `error` = the status, the original's message, a code,
/// details.
#[track_caller]
pub fn assert_error_shape(reply: &Reply) {
    let body = &reply.body;
    assert_eq!(body["success"], json!(false), "{}", reply.text);
    assert_eq!(
        body["error"],
        json!(reply.status.as_u16()),
        "{}",
        reply.text
    );
    let message = match reply.status.as_u16() {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "resource not found",
        405 => "method not allowed",
        409 => "conflict",
        412 => "precondition failed",
        413 => "payload too large",
        422 => "unprocessable",
        410 => "gone",
        428 => "precondition required",
        429 => "too many requests",
        503 => "service unavailable",
        _ => "internal server error",
    };
    assert_eq!(body["message"], json!(message), "{}", reply.text);
    assert!(body["code"].is_string(), "{}", reply.text);
    assert!(body["details"].is_object(), "{}", reply.text);
    let content_type = reply.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
}

#[handler]
fn jwks() -> Json<Value> {
    Json(ISSUER.jwks())
}

/// The OpenAPI document as the application serves it.
pub fn spec() -> Value {
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let verifier = Arc::new(ISSUER.verifier().expect("verifier"));
    serde_json::from_str(&casting_http::api_service(service, verifier).spec()).expect("JSON")
}

/// Serves `ISSUER`'s key set on loopback; returns its URL.
async fn key_set_server() -> String {
    let base = serve(Route::new().at("/.well-known/jwks.json", get(jwks))).await;
    format!("{base}/.well-known/jwks.json")
}

/// The real Auth0 verifier, downloading `ISSUER`'s keys from a loopback key-set server.
pub async fn auth0_verifier() -> Arc<dyn TokenVerifier> {
    real_verifier().await
}

/// [`auth0_verifier`], as itself: for tests that read its statistics.
pub async fn real_verifier() -> Arc<Auth0Verifier> {
    let config = ISSUER
        .config()
        .with_jwks_uri(key_set_server().await)
        .allow_insecure_loopback(true);
    Arc::new(Auth0Verifier::new(config).expect("verifier"))
}

/// A listener on `127.0.0.1:0`, and the address it got.
async fn bind_loopback() -> (impl Acceptor + 'static, std::net::SocketAddr) {
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("addr");
    (acceptor, addr)
}

/// The default configuration with the rate limits off: the suites on both stores drive one
/// token hard, and their 401 checks come from one address (`limits.rs` tests the limits).
pub fn unlimited() -> HttpConfig {
    HttpConfig {
        rate_limits: RateLimitConfig::off(),
        ..HttpConfig::default()
    }
}

/// Serves `app` on `127.0.0.1:0` behind a [`LimitedAcceptor`]; returns its address.
pub async fn serve_limited(
    app: impl poem::Endpoint + 'static,
    limits: ConnectionLimits,
) -> std::net::SocketAddr {
    let (acceptor, addr) = bind_loopback().await;
    let acceptor = LimitedAcceptor::new(acceptor, limits);
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app.map_to_response()));
    addr
}

/// Serves `app` on `127.0.0.1:0`; returns its base URL.
pub async fn serve(app: impl poem::Endpoint + 'static) -> String {
    let (acceptor, addr) = bind_loopback().await;
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app.map_to_response()));
    format!("http://{addr}")
}

impl TestApp {
    /// The application over `store`, with the real Auth0 verifier.
    pub async fn over(store: Arc<dyn Store>, config: HttpConfig) -> Self {
        let verifier = auth0_verifier().await;
        Self::with(store, verifier, config).await
    }

    pub async fn with(
        store: Arc<dyn Store>,
        verifier: Arc<dyn TokenVerifier>,
        config: HttpConfig,
    ) -> Self {
        let app = casting_http::app(CastingService::new(store), verifier, &config);
        Self::serving(app).await
    }

    /// Any endpoint on a loopback port.
    pub async fn serving(endpoint: impl poem::Endpoint + 'static) -> Self {
        Self {
            url: serve(endpoint).await,
            http: reqwest::Client::new(),
            database: None,
        }
    }

    /// Over the memory store.
    pub async fn memory() -> Option<Self> {
        Some(Self::over(Arc::new(MemoryStore::new()), unlimited()).await)
    }

    /// Over a fresh PostgreSQL database; `None` when `DATABASE_URL` is unset (skipped).
    pub async fn postgres() -> Option<Self> {
        let database = testing::fresh().await?;
        let mut app = Self::over(Arc::new(database.store.clone()), unlimited()).await;
        app.database = Some(database);
        Some(app)
    }

    /// Drops the test database, if any.
    pub async fn finish(self) {
        if let Some(database) = self.database {
            database.drop_database().await;
        }
    }

    pub fn token(role: Role) -> String {
        ISSUER.token_for_role(role, HOUR)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request")).await
    }

    /// A request as `role` with extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        role: Role,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(Self::token(role));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, role: Role) -> Reply {
        self.call(Method::GET, path, Some(&Self::token(role)), None)
            .await
    }

    pub async fn post(&self, path: &str, role: Role, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&Self::token(role)), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, role: Role, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(&Self::token(role)), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, role: Role) -> Reply {
        self.call(Method::DELETE, path, Some(&Self::token(role)), None)
            .await
    }

    /// Creates a movie as an Executive Producer; returns its id.
    pub async fn movie(&self, title: &str, actors: &[i64]) -> i64 {
        let body = json!({ "title": title, "release_date": "08-02-2025", "actors": actors });
        let reply = self.post("/movies", Role::ExecutiveProducer, body).await;
        reply.expect(200, "");
        reply.body["movie"]["id"].as_i64().expect("id")
    }

    /// Creates an actor as an Executive Producer; returns their id.
    pub async fn actor(&self, name: &str, movies: &[i64]) -> i64 {
        let body = json!({ "name": name, "age": 40, "gender": "female", "movies": movies });
        let reply = self.post("/actors", Role::ExecutiveProducer, body).await;
        reply.expect(200, "");
        reply.body["actor"]["id"].as_i64().expect("id")
    }
}

/// Posts `body` with `Transfer-Encoding: chunked` (no Content-Length) over a raw connection, as
/// an Executive Producer; returns the status and the response text.
pub async fn chunked_post(app: &TestApp, path: &str, body: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        TestApp::token(Role::ExecutiveProducer)
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    for chunk in body.chunks(8 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() {
            break; // The server may answer and close before reading it all.
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

pub async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// Expands checks into one test per store: `memory::check` and `postgres::check`.
macro_rules! on_both_stores {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let app = $crate::support::TestApp::memory().await.expect("memory app");
                    super::$check(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    let Some(app) = $crate::support::TestApp::postgres().await else {
                        return;
                    };
                    super::$check(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}
