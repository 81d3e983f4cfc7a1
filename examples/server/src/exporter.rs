//! `GET /metrics`: Prometheus text, on a listener of its own (`METRICS_ADDR`), of what the
//! libraries record through the `metrics` facade (requests, token checks, key downloads, waits
//! for a database connection, pool timeouts), plus the database pool's gauges, read at each scrape. Off the API's port, so it
//! is never public by accident.

use std::net::SocketAddr;

use casting_store_postgres::PostgresStore;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::Data;
use poem::{EndpointExt, Response, Route, get, handler};

/// The latency buckets, in seconds: from a cache hit on the memory store to a slow database.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// How long queries waited for a database connection, in seconds: from an idle one at hand to
/// the pool's acquire timeout.
const ACQUIRE_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often histogram samples are folded into their buckets.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the Prometheus recorder for the process; returns the handle that renders it.
pub fn install() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("casting_http_request_duration_seconds".to_owned()),
            LATENCY_BUCKETS,
        )
        .and_then(|builder| {
            builder.set_buckets_for_metric(
                Matcher::Full("casting_db_pool_acquire_seconds".to_owned()),
                ACQUIRE_BUCKETS,
            )
        })
        .and_then(PrometheusBuilder::install_recorder)
        .map_err(|e| format!("METRICS_ADDR: cannot start the metrics recorder: {e}"))
}

/// What a scrape needs.
#[derive(Clone)]
struct Scrape {
    handle: PrometheusHandle,
    store: Option<PostgresStore>,
}

#[handler]
fn scrape(scrape: Data<&Scrape>) -> Response {
    scrape.handle.run_upkeep();
    if let Some(store) = &scrape.store {
        let stats = store.pool_stats();
        metrics::gauge!("casting_db_pool_connections").set(f64::from(stats.connections));
        metrics::gauge!("casting_db_pool_idle_connections").set(f64::from(stats.idle));
        metrics::gauge!("casting_db_pool_max_connections").set(f64::from(stats.max_connections));
    }
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(scrape.handle.render())
}

/// Serves `GET /metrics` on `addr` in the background; returns the address it listens on.
pub async fn serve(
    addr: SocketAddr,
    handle: PrometheusHandle,
    store: Option<PostgresStore>,
) -> Result<SocketAddr, String> {
    let acceptor = TcpListener::bind(addr)
        .into_acceptor()
        .await
        .map_err(|e| format!("METRICS_ADDR: cannot listen on {addr}: {e}"))?;
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .unwrap_or(addr);
    // Histograms keep their samples until upkeep folds them into buckets: without a scrape
    // they would grow with every request, so fold them every few seconds regardless.
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let app = Route::new()
        .at("/metrics", get(scrape))
        .data(Scrape { handle, store });
    tokio::spawn(async move {
        if let Err(error) = poem::Server::new_with_acceptor(acceptor).run(app).await {
            tracing::error!(%error, "the metrics listener stopped");
        }
    });
    Ok(local)
}
