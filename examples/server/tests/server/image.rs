//! The container image (`scripts/image.sh` builds it as `casting:latest`), run as an operator
//! runs it: on the machine's PostgreSQL, with real Auth0 settings whose key set is served on
//! loopback. Needs `CASTING_IMAGE` (the image to run) and a Docker daemon; `.ci/run` sets both.
//! Without `CASTING_IMAGE` it prints `SKIPPED: …` and passes; with `CI=true` it fails instead.

use std::net::TcpListener as StdListener;
use std::process::Command;
use std::time::{Duration, Instant};

use casting_auth0::DevIssuer;
use casting_core::Role;
use casting_store_postgres::testing;
use poem::endpoint::make_sync;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Json;
use poem::{Route, Server, get};

use crate::support::database_named;

const ISSUER: &str = "https://casting-image-test.eu.auth0.com/";
const AUDIENCE: &str = "https://casting.example.com/api";

/// The Docker command line (`DOCKER`, else `docker`).
fn docker(args: &[&str]) -> std::process::Output {
    let program = std::env::var("DOCKER").unwrap_or_else(|_| "docker".to_owned());
    Command::new(&program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} {args:?}: {e}"))
}

fn docker_text(args: &[&str]) -> String {
    let output = docker(args);
    assert!(output.status.success(), "docker {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A free loopback port (the container shares the host's network).
fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Serves `issuer`'s key set on a loopback port: its URL.
async fn key_server(issuer: &DevIssuer) -> String {
    let jwks = issuer.jwks();
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = *acceptor.local_addr()[0]
        .as_socket_addr()
        .expect("an address");
    let keys = make_sync(move |_| Json(jwks.clone()));
    let app = Route::new().at("/.well-known/jwks.json", get(keys));
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    format!("http://{addr}/.well-known/jwks.json")
}

/// Every `casting_*` series deploy/prometheus/alerts.yml names (a histogram's `_bucket` as
/// written there).
fn alerted_series() -> Vec<String> {
    let rules = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/prometheus/alerts.yml"
    );
    let rules = std::fs::read_to_string(rules).expect("alerts.yml");
    let mut names: Vec<String> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("casting_"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() >= 5, "{names:?}");
    names
}

/// Removes the container however the test ends.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", &self.0]);
    }
}

#[tokio::test]
async fn the_image_serves_the_api_healthy_unprivileged_and_stops_cleanly() {
    let Ok(image) = std::env::var("CASTING_IMAGE") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but CASTING_IMAGE is not set: .ci/run builds it with scripts/image.sh"
        );
        println!("SKIPPED: container image test (CASTING_IMAGE is not set)");
        return;
    };
    let Some((name, admin, _)) = testing::empty_database().await else {
        return;
    };
    let database_url = database_named(&name);
    let issuer = DevIssuer::with_names(ISSUER, AUDIENCE).expect("issuer");
    let jwks_uri = key_server(&issuer).await;
    let port = free_port().to_string();
    let metrics_port = free_port();

    let id = docker_text(&[
        "run",
        "--detach",
        "--network",
        "host",
        "--env",
        &format!("PORT={port}"),
        "--env",
        &format!("DATABASE_URL={database_url}"),
        "--env",
        "AUTH0_DOMAIN=casting-image-test.eu.auth0.com",
        "--env",
        &format!("AUTH0_AUDIENCE={AUDIENCE}"),
        "--env",
        &format!("AUTH0_JWKS_URI={jwks_uri}"),
        "--env",
        &format!("METRICS_ADDR=127.0.0.1:{metrics_port}"),
        "--health-interval",
        "1s",
        "--health-start-period",
        "1s",
        &image,
    ]);
    let container = Container(id);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();

    // Ready: migrated, the database answering.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(format!("{base}/ready")).send().await {
            Ok(answer) if answer.status() == 200 => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!(
                "not ready within 60 s: {other:?}\n{}",
                docker_text(&["logs", &container.0])
            ),
        }
    }

    // A write and a read with tokens the key server's key signed.
    let producer = issuer.token_for_role(Role::ExecutiveProducer, Duration::from_secs(300));
    let created: serde_json::Value = client
        .post(format!("{base}/movies"))
        .bearer_auth(&producer)
        .json(&serde_json::json!({"title": "Shipped", "release_date": "2026-12-02"}))
        .send()
        .await
        .expect("POST")
        .error_for_status()
        .expect("POST 200")
        .json()
        .await
        .expect("JSON");
    let id = created["movie"]["id"].as_i64().expect("an id");
    let assistant = issuer.token_for_role(Role::CastingAssistant, Duration::from_secs(300));
    let read = client
        .get(format!("{base}/movie-details/{id}"))
        .bearer_auth(&assistant)
        .send()
        .await
        .expect("GET");
    assert_eq!(read.status(), 200);
    let read: serde_json::Value = read.json().await.expect("JSON");
    assert_eq!(read["movie"]["title"], "Shipped");
    let forged = DevIssuer::with_names(ISSUER, AUDIENCE)
        .expect("issuer")
        .token_for_role(Role::ExecutiveProducer, Duration::from_secs(300));
    let refused = client
        .get(format!("{base}/movies"))
        .bearer_auth(&forged)
        .send()
        .await
        .expect("GET");
    assert_eq!(refused.status(), 401, "a key the key set does not hold");

    // Every series the alerting rules name is exported (deploy/prometheus/alerts.yml).
    let scrape = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("text");
    for series in alerted_series() {
        assert!(
            scrape.lines().any(|line| line.starts_with(&series)),
            "alerts.yml names {series}, which the server does not export:\n{scrape}"
        );
    }

    // Healthy by its own HEALTHCHECK (`casting-server health`).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let health = docker_text(&[
            "inspect",
            "--format",
            "{{.State.Health.Status}}",
            &container.0,
        ]);
        if health == "healthy" {
            break;
        }
        assert!(Instant::now() < deadline, "health {health:?} after 30 s");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Not root: the image's user, and the process's real uid.
    assert_eq!(
        docker_text(&["inspect", "--format", "{{.Config.User}}", &container.0]),
        "65532:65532"
    );
    let pid = docker_text(&["inspect", "--format", "{{.State.Pid}}", &container.0]);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .expect("a Uid line");
    assert!(
        uid.split_whitespace().all(|u| u == "65532"),
        "real, effective, saved and fs uid: {uid}"
    );

    // SIGTERM: exit code 0, well within the 10 s docker waits before it kills.
    let started = Instant::now();
    docker_text(&["stop", "--time", "10", &container.0]);
    let took = started.elapsed();
    assert_eq!(
        docker_text(&["inspect", "--format", "{{.State.ExitCode}}", &container.0]),
        "0"
    );
    assert!(took < Duration::from_secs(10), "stopped in {took:?}");
    let logs = docker(&["logs", &container.0]);
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&logs.stdout),
        String::from_utf8_lossy(&logs.stderr)
    );
    assert!(logs.contains("shutdown signal received"), "{logs}");
    assert!(!logs.contains(&producer), "no token in the logs");
    drop(container);
    testing::drop_named(&admin, &name).await;
}
