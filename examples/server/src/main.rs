//! `casting-server`: the casting REST API.
//!
//! Configuration comes from the environment and `.env` (see `.env.example` and
//! `docs/deployment.md`). With nothing set it runs in development mode: memory store, sample
//! catalogue, a fresh signing key and printed tokens, on 127.0.0.1:8080.
//!
//! `casting-server --help` lists every setting (each a flag or an environment variable);
//! `casting-server openapi` prints the OpenAPI document and exits; `casting-server adopt`
//! converts the original Flask app's database (docs/deployment.md).

mod cli;
mod config;
mod dev;
mod exporter;
mod health;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use casting_auth0::{Auth0Config, Auth0Verifier, DevIssuer, TokenCacheSettings};
use casting_core::{CastingService, Store, TokenVerifier};
use casting_http::{ConnectionLimits, HttpConfig, LimitedAcceptor};
use casting_store_memory::MemoryStore;
use casting_store_postgres::{AdoptError, AdoptOptions, PoolSettings, PostgresStore};
use poem::listener::{Acceptor, Listener, TcpListener};
use tracing_subscriber::EnvFilter;

use crate::cli::{Cli, Command, Settings};
use crate::config::{Auth, Config, ConfigError, LogFormat};

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long in-flight requests may take to finish after a shutdown signal: under the 10 s a
/// container runtime waits after SIGTERM (`docker stop`) before it kills.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(8);

#[tokio::main]
async fn main() -> ExitCode {
    // `.env` first, so clap sees its variables as if they were set.
    if let Err(error) = dotenvy::dotenv()
        && !error.not_found()
    {
        eprintln!("casting-server: .env: {error}");
        return ExitCode::FAILURE;
    }
    let cli = match Cli::from_env() {
        Ok(cli) => cli,
        Err(line) => {
            eprintln!("casting-server: {line}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => spec().map(|spec| println!("{spec}")),
        Command::Health => health::check(&cli.settings).await,
        Command::Serve => run(&cli.settings).await,
        Command::Adopt { apply, quarantine } => {
            adopt(&cli.settings, AdoptOptions { apply, quarantine }).await
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("casting-server: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `casting-server adopt`: reports on (or converts) the Flask app's database at DATABASE_URL.
async fn adopt(settings: &Settings, options: AdoptOptions) -> Result<(), String> {
    let url = settings
        .database_url
        .clone()
        .ok_or("adopt: set DATABASE_URL to the Flask app's database")?;
    let store = PostgresStore::connect_with(&url, &PoolSettings::default())
        .await
        .map_err(|e| format!("DATABASE_URL: cannot connect: {}", chain(&e)))?;
    let outcome = casting_store_postgres::adopt(store.pool(), options).await;
    store.close().await;
    match outcome {
        Ok(report) => {
            print!("{report}");
            Ok(())
        }
        Err(AdoptError::RulesBroken(report)) => {
            print!("{report}");
            Err("adopt: nothing was changed: rows break a rule (see above)".to_owned())
        }
        Err(error) => Err(format!("adopt: {error}")),
    }
}

/// The OpenAPI document. It depends on neither the store nor the verifier, so any will do: a
/// memory store and a development verifier, which touch nothing outside the process.
fn spec() -> Result<String, String> {
    let service = CastingService::new(Arc::new(MemoryStore::new()));
    let verifier = DevIssuer::new()
        .and_then(|issuer| issuer.verifier())
        .map_err(|e| e.to_string())?;
    Ok(casting_http::api_service(service, Arc::new(verifier)).spec())
}

async fn run(settings: &Settings) -> Result<(), String> {
    let config = Config::from_settings(settings).map_err(|e| e.to_string())?;
    let filter = EnvFilter::try_new(&config.log_filter).map_err(|e| {
        ConfigError {
            variable: "RUST_LOG".to_owned(),
            message: e.to_string(),
        }
        .to_string()
    })?;
    // Colours only for a person at a terminal; never in a file or a log collector.
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    match config.log_format {
        LogFormat::Text => subscriber.init(),
        LogFormat::Json => subscriber.json().init(),
    }

    // Before anything records: metrics recorded without a recorder are lost.
    let recorder = match config.metrics_addr {
        Some(addr) => Some((addr, exporter::install()?)),
        None => None,
    };
    let (store, postgres) = open_store(&config).await?;
    let pruning = match (&postgres, config.audit_retention) {
        (Some(store), Some(retention)) => {
            tracing::info!(
                days = retention.num_days(),
                "audit entries older than this are pruned"
            );
            Some(store.keep_audit_for(retention))
        }
        (None, Some(_)) => {
            tracing::warn!(
                "AUDIT_RETENTION_DAYS applies to PostgreSQL; the memory store keeps its newest \
                 100000 entries"
            );
            None
        }
        (_, None) => None,
    };
    let service = CastingService::new(store).with_idempotency_ttl(config.idempotency_ttl);
    let (verifier, dev_issuer) = make_verifier(&config)?;
    if dev_issuer.is_some() && postgres.is_none() {
        dev::load_sample(&service)
            .await
            .map_err(|e| format!("could not load the sample catalogue: {e}"))?;
    }

    let limits = fit_to_open_files(config.limits);
    let acceptor = TcpListener::bind(config.addr)
        .into_acceptor()
        .await
        .map_err(|e| format!("HOST/PORT: cannot listen on {}: {e}", config.addr))?;
    let acceptor = LimitedAcceptor::new(acceptor, limits);
    let local = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .unwrap_or(config.addr);
    let base_url = format!("http://{local}");
    if let Some(issuer) = &dev_issuer {
        dev::print_tokens(issuer, &base_url);
    }
    if let Some((addr, handle)) = recorder {
        let local = exporter::serve(addr, handle, postgres.clone()).await?;
        tracing::info!("metrics on http://{local}/metrics");
        println!("metrics on http://{local}/metrics");
    }
    tracing::info!("listening on {base_url} (Swagger UI at {base_url}/docs)");
    println!("listening on {base_url}");

    let http = HttpConfig {
        allowed_origins: config.allowed_origins.clone(),
        ready_timeout: config.ready_timeout,
        require_if_match: config.require_if_match,
        rate_limits: config.rate_limits.clone(),
        shutdown: casting_http::Shutdown::new(),
    };
    let app = casting_http::app(service, verifier, &http);
    // Event streams end first, so the graceful shutdown does not wait for their clients.
    let stopping = async {
        shutdown_signal().await;
        http.shutdown.trigger();
    };
    let served = poem::Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(app, stopping, Some(SHUTDOWN_GRACE))
        .await;
    if let Some(pruning) = pruning {
        pruning.abort();
    }
    if let Some(store) = postgres {
        store.close().await;
    }
    tracing::info!("stopped");
    served.map_err(|e| format!("server error: {e}"))
}

async fn open_store(config: &Config) -> Result<(Arc<dyn Store>, Option<PostgresStore>), String> {
    match &config.database_url {
        Some(url) => {
            let settings = PoolSettings {
                acquire_timeout: config.pool_timeout,
                max_connections: config.pool_size,
                ..PoolSettings::default()
            };
            let store = PostgresStore::connect_with(url, &settings)
                .await
                .map_err(|e| format!("DATABASE_URL: cannot connect: {}", chain(&e)))?;
            store
                .migrate()
                .await
                .map_err(|e| format!("DATABASE_URL: migrations failed: {}", chain(&e)))?;
            tracing::info!("PostgreSQL store ready, migrations applied");
            Ok((Arc::new(store.clone()), Some(store)))
        }
        None => {
            tracing::warn!("DATABASE_URL is not set: using the in-memory store; nothing is kept");
            Ok((Arc::new(MemoryStore::new()), None))
        }
    }
}

fn make_verifier(config: &Config) -> Result<(Arc<dyn TokenVerifier>, Option<DevIssuer>), String> {
    match &config.auth {
        Auth::Auth0 {
            domain,
            audience,
            issuer,
            jwks_uri,
        } => {
            let mut auth0 = Auth0Config::for_domain(domain, audience.clone()).with_token_cache(
                TokenCacheSettings {
                    max_bytes: config.token_cache_bytes,
                },
            );
            if let Some(issuer) = issuer {
                auth0.issuer.clone_from(issuer);
            }
            if let Some(uri) = jwks_uri {
                // Plain http is allowed to a loopback host only (checked by the verifier).
                auth0 = auth0
                    .with_jwks_uri(uri.clone())
                    .allow_insecure_loopback(uri.starts_with("http://"));
            }
            let verifier = Auth0Verifier::new(auth0).map_err(|e| {
                let variable = if jwks_uri.is_some() {
                    "AUTH0_JWKS_URI"
                } else {
                    "AUTH0_DOMAIN"
                };
                format!("{variable}: {e}")
            })?;
            tracing::info!(issuer = %verifier.config().issuer, "verifying Auth0 tokens");
            Ok((Arc::new(verifier), None))
        }
        Auth::Development => {
            tracing::warn!("AUTH0_DOMAIN is not set: development auth, NOT FOR PRODUCTION");
            let issuer = DevIssuer::new().map_err(|e| e.to_string())?;
            let dev = issuer.config().with_token_cache(TokenCacheSettings {
                max_bytes: config.token_cache_bytes,
            });
            let verifier =
                Auth0Verifier::with_static_keys(dev, issuer.jwks().to_string().as_bytes())
                    .map_err(|e| e.to_string())?;
            Ok((Arc::new(verifier), Some(issuer)))
        }
    }
}

/// Descriptors kept back from the connection cap: the database pool, key downloads, logs.
const RESERVED_FILES: u64 = 64;

/// Raises the open-file soft limit toward the hard limit, logs the limit in force, and lowers
/// the connection cap if the limit cannot hold it (with a warning): descriptors must never run
/// out, whatever clients do.
fn fit_to_open_files(mut limits: ConnectionLimits) -> ConnectionLimits {
    let soft = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => soft,
        Err(error) => {
            tracing::warn!(%error, "could not read or raise the open-file limit");
            return limits;
        }
    };
    let room = usize::try_from(soft.saturating_sub(RESERVED_FILES))
        .unwrap_or(usize::MAX)
        .max(1);
    if limits.max_connections > room {
        tracing::warn!(
            open_files = soft,
            requested = limits.max_connections,
            cap = room,
            "MAX_CONNECTIONS is above what the open-file limit allows; lowering it"
        );
        limits.max_connections = room;
    }
    tracing::info!(
        open_files = soft,
        max_connections = limits.max_connections,
        header_timeout = ?limits.header_timeout,
        keep_alive_timeout = ?limits.keep_alive_timeout,
        "connection limits"
    );
    limits
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}
