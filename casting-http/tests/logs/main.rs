//! What the logs say at `info` (the server's default): no search text, no tokens, no bodies, no
//! subjects — even when the store logs a slow statement from inside an operation's spans.
//!
//! A test binary of its own: it installs the process-wide subscriber, as the server does, which
//! the tests in `tests/http` must not share (a thread-local one misses events whose callsites
//! other tests' threads registered first).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use casting_auth0::DevIssuer;
use casting_core::{CastingService, Role};
use casting_http::HttpConfig;
use casting_store_postgres::{PostgresStore, testing};
use poem::listener::{Acceptor, Listener, TcpListener};
use serde_json::json;
use sqlx::ConnectOptions;

/// Log output captured in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").write(bytes)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_logs_carry_no_search_text_tokens_bodies_or_subjects() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .init();

    let Some(database) = testing::fresh().await else {
        return;
    };
    // Every statement counts as slow, so the store logs a WARN inside each operation: the place
    // where span fields (a query's `q`, a caller's subject) would leak into a log line.
    let options = (*database.store.pool().connect_options())
        .clone()
        .log_slow_statements(log::LevelFilter::Warn, Duration::ZERO);
    let pool = sqlx::postgres::PgPoolOptions::new().connect_lazy_with(options);
    let issuer = DevIssuer::new().expect("key");
    let app = casting_http::app(
        CastingService::new(Arc::new(PostgresStore::new(pool))),
        Arc::new(issuer.verifier().expect("verifier")),
        &HttpConfig::default(),
    );
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor.local_addr()[0]
        .as_socket_addr()
        .copied()
        .expect("addr");
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let assistant = issuer.token_for_role(Role::CastingAssistant, Duration::from_secs(600));
    let producer = issuer.token_for_role(Role::ExecutiveProducer, Duration::from_secs(600));

    let needle = "zebra-needle-4711";
    let status = |r: reqwest::Response| r.status().as_u16();
    for path in [
        format!("/movies?q={needle}"),
        format!("/actors?q={needle}&page=1"),
    ] {
        let reply = http
            .get(format!("{base}{path}"))
            .bearer_auth(&assistant)
            .send()
            .await;
        assert_eq!(reply.map(status).ok(), Some(200), "{path}");
    }
    let created = http
        .post(format!("{base}/movies"))
        .bearer_auth(&producer)
        .json(&json!({ "title": "body-needle-title", "release_date": "08-02-2025" }))
        .send()
        .await;
    assert_eq!(created.map(status).ok(), Some(200));
    let refused = http
        .get(format!("{base}/movies?q={needle}"))
        .bearer_auth("not-a-token")
        .send()
        .await;
    assert_eq!(refused.map(status).ok(), Some(401));

    let text = String::from_utf8_lossy(&captured.0.lock().expect("log buffer")).into_owned();
    assert!(
        text.contains("served"),
        "the access log was captured:\n{text}"
    );
    assert!(
        text.contains("slow statement"),
        "the store logged inside the operations:\n{text}"
    );
    for secret in [
        needle,
        "body-needle-title",
        assistant.as_str(),
        producer.as_str(),
        "not-a-token",
        "dev|",
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the logs:\n{text}");
    }
    database.drop_database().await;
}
