//! The server's configuration: the settings (`cli`) checked together before anything starts.
//! A contradiction is one [`ConfigError`] naming its variable.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use casting_http::{ConnectionLimits, RateLimitConfig};

use crate::cli::Settings;
pub use crate::cli::values::LogFormat;
use crate::cli::values::{Listen, Origins};

/// Where the signing keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// An Auth0 tenant.
    Auth0 {
        /// `AUTH0_DOMAIN`, e.g. `tenant.eu.auth0.com`.
        domain: String,
        /// `AUTH0_AUDIENCE` (or `API_AUDIENCE`).
        audience: String,
        /// `AUTH0_ISSUER`, default `https://{domain}/`.
        issuer: Option<String>,
        /// `AUTH0_JWKS_URI`, default `https://{domain}/.well-known/jwks.json`.
        jwks_uri: Option<String>,
    },
    /// A fresh key made at start, with printed tokens: for development only.
    Development,
}

/// Everything the server reads from its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `HOST` and `PORT`.
    pub addr: SocketAddr,
    /// `DATABASE_URL`: the PostgreSQL store; `None` keeps everything in memory.
    pub database_url: Option<String>,
    /// `AUTH0_*`: how tokens are verified.
    pub auth: Auth,
    /// `CORS_ALLOWED_ORIGINS`: `None` allows any origin.
    pub allowed_origins: Option<Vec<String>>,
    /// `RUST_LOG`: the log filter.
    pub log_filter: String,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: LogFormat,
    /// `MAX_CONNECTIONS`, `HEADER_TIMEOUT_SECS`, `KEEP_ALIVE_TIMEOUT_SECS`: the edge's bounds.
    pub limits: ConnectionLimits,
    /// `DATABASE_POOL_TIMEOUT_SECS`: how long a query waits for a pool connection (default 5 s).
    pub pool_timeout: Duration,
    /// `DATABASE_POOL_SIZE`: the most database connections this instance opens (default 10).
    pub pool_size: u32,
    /// `READY_TIMEOUT_SECS`: how long `/ready` waits for the store (default 1 s).
    pub ready_timeout: Duration,
    /// `TOKEN_CACHE_MAX_BYTES`: the verified-token cache's bound (default 4 MiB; 0 turns it
    /// off).
    pub token_cache_bytes: usize,
    /// `REQUIRE_IF_MATCH`: refuse writes without `If-Match` with 428 (default `false`).
    pub require_if_match: bool,
    /// `IDEMPOTENCY_TTL_SECS`: how long an `Idempotency-Key` is remembered (default 24 h).
    pub idempotency_ttl: Duration,
    /// `AUDIT_RETENTION_DAYS`: how long PostgreSQL keeps audit entries; `None` keeps them all
    /// (the default).
    pub audit_retention: Option<chrono::TimeDelta>,
    /// `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST`, `AUTH_FAILURES_PER_MINUTE`,
    /// `TRUSTED_PROXIES`: the rate limits.
    pub rate_limits: RateLimitConfig,
    /// `METRICS_ADDR`: where `/metrics` listens; `None` is off (the default, except in
    /// development mode, where it is a free loopback port).
    pub metrics_addr: Option<SocketAddr>,
}

/// A configuration value that stops the server, naming its variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable at fault.
    pub variable: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn fail<T>(variable: &str, message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError {
        variable: variable.to_owned(),
        message: message.into(),
    })
}

impl Config {
    /// The configuration the settings make, once the settings that depend on each other are
    /// checked together (each value was checked alone as it was parsed).
    pub fn from_settings(settings: &Settings) -> Result<Self, ConfigError> {
        let host = settings.host;
        let database_url = settings.database_url.clone();
        let audience = match (&settings.auth0_audience, &settings.api_audience) {
            (Some(a), Some(b)) if a != b => {
                return fail(
                    "AUTH0_AUDIENCE",
                    "differs from API_AUDIENCE; set one of them, or both the same",
                );
            }
            (a, b) => a.clone().or_else(|| b.clone()),
        };
        let dev_auth = settings.dev_auth;
        let issuer = settings.auth0_issuer.clone();
        let jwks_uri = settings.auth0_jwks_uri.clone();
        let auth = match settings.auth0_domain.clone() {
            Some(_) if dev_auth == Some(true) => {
                return fail(
                    "DEV_AUTH",
                    "asks for development auth, but AUTH0_DOMAIN is set; unset one of them",
                );
            }
            Some(domain) => {
                let Some(audience) = audience else {
                    return fail(
                        "AUTH0_AUDIENCE",
                        "is required with AUTH0_DOMAIN (the API identifier tokens are issued for)",
                    );
                };
                Auth::Auth0 {
                    domain,
                    audience,
                    issuer,
                    jwks_uri,
                }
            }
            None => {
                for (name, value) in [
                    ("AUTH0_AUDIENCE", &audience),
                    ("AUTH0_ISSUER", &issuer),
                    ("AUTH0_JWKS_URI", &jwks_uri),
                ] {
                    if value.is_some() {
                        return fail(name, "is set but AUTH0_DOMAIN is not; set AUTH0_DOMAIN too");
                    }
                }
                if database_url.is_some() && dev_auth != Some(true) {
                    // Printed tokens over a real database only when asked for by name.
                    return fail(
                        "AUTH0_DOMAIN",
                        "is required with DATABASE_URL; for development auth over this \
                         database, ask for it with --dev or DEV_AUTH=1",
                    );
                }
                if dev_auth == Some(false) {
                    return fail(
                        "AUTH0_DOMAIN",
                        "is required when DEV_AUTH turns development auth off",
                    );
                }
                if !host.is_loopback() {
                    return fail(
                        "HOST",
                        "development auth (no AUTH0_DOMAIN) listens on loopback only; \
                         set AUTH0_DOMAIN to serve other hosts",
                    );
                }
                Auth::Development
            }
        };
        let metrics_addr = match settings.metrics_addr {
            Some(Listen::Off) => None,
            Some(Listen::At(addr)) => Some(addr),
            None if auth == Auth::Development => Some(SocketAddr::new(host, 0)),
            None => None,
        };
        Ok(Self {
            addr: SocketAddr::new(host, settings.port),
            database_url,
            auth,
            allowed_origins: match &settings.cors_allowed_origins {
                Origins::Any => None,
                Origins::Only(origins) => Some(origins.clone()),
            },
            log_filter: settings.rust_log.clone(),
            log_format: settings.log_format,
            limits: ConnectionLimits {
                max_connections: settings.max_connections,
                header_timeout: settings.header_timeout_secs.0,
                keep_alive_timeout: settings.keep_alive_timeout_secs.0,
            },
            pool_timeout: settings.database_pool_timeout_secs.0,
            pool_size: settings.database_pool_size,
            ready_timeout: settings.ready_timeout_secs.0,
            token_cache_bytes: settings.token_cache_max_bytes,
            require_if_match: settings.require_if_match,
            idempotency_ttl: Duration::from_secs(settings.idempotency_ttl_secs),
            audit_retention: settings
                .audit_retention_days
                .map(|days| chrono::TimeDelta::days(i64::from(days))),
            rate_limits: RateLimitConfig {
                per_minute: settings.rate_limit_per_minute,
                burst: settings.rate_limit_burst,
                auth_failures_per_minute: settings.auth_failures_per_minute,
                trusted_proxies: settings
                    .trusted_proxies
                    .clone()
                    .map(|networks| networks.0)
                    .unwrap_or_default(),
            },
            metrics_addr,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::cli::Cli;

    /// The configuration from these variables alone, as the server reads them (a bad value
    /// is the error naming its variable).
    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let cli = Cli::from_args(["casting-server"], |name| vars.get(name).map(Into::into))
            .map_err(|line| {
                let (variable, message) = line.split_once(": ").unwrap_or(("?", &line));
                ConfigError {
                    variable: variable.to_owned(),
                    message: message.to_owned(),
                }
            })?;
        Config::from_settings(&cli.settings)
    }

    fn variable(vars: &[(&str, &str)]) -> String {
        config(vars).unwrap_err().variable
    }

    #[test]
    fn defaults_are_loopback_8080_memory_and_development_auth() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.database_url, None);
        assert_eq!(config.auth, Auth::Development);
        assert_eq!(config.allowed_origins, None);
        assert_eq!(config.log_filter, "info");
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn auth0_needs_an_audience_from_either_variable() {
        let auth0 = config(&[
            ("AUTH0_DOMAIN", "t.auth0.com"),
            ("API_AUDIENCE", "https://api"),
        ])
        .unwrap()
        .auth;
        assert!(matches!(auth0, Auth::Auth0 { ref audience, .. } if audience == "https://api"));
        assert_eq!(
            variable(&[("AUTH0_DOMAIN", "t.auth0.com")]),
            "AUTH0_AUDIENCE"
        );
        assert_eq!(
            variable(&[
                ("AUTH0_DOMAIN", "t.auth0.com"),
                ("AUTH0_AUDIENCE", "a"),
                ("API_AUDIENCE", "b")
            ]),
            "AUTH0_AUDIENCE"
        );
    }

    #[test]
    fn auth0_settings_without_a_domain_are_contradictory() {
        assert_eq!(variable(&[("AUTH0_AUDIENCE", "a")]), "AUTH0_AUDIENCE");
        assert_eq!(variable(&[("AUTH0_ISSUER", "https://x/")]), "AUTH0_ISSUER");
        assert_eq!(
            variable(&[("AUTH0_JWKS_URI", "https://x/j")]),
            "AUTH0_JWKS_URI"
        );
    }

    #[test]
    fn development_auth_stays_on_loopback() {
        assert_eq!(variable(&[("HOST", "0.0.0.0")]), "HOST");
        assert!(config(&[("HOST", "::1")]).is_ok());
        assert!(
            config(&[
                ("HOST", "0.0.0.0"),
                ("AUTH0_DOMAIN", "t.auth0.com"),
                ("AUTH0_AUDIENCE", "a")
            ])
            .is_ok()
        );
    }

    #[test]
    fn development_auth_over_a_database_only_when_asked_for() {
        const DB: (&str, &str) = ("DATABASE_URL", "postgres://localhost/casting");
        let refused = config(&[DB]).unwrap_err();
        assert_eq!(refused.variable, "AUTH0_DOMAIN");
        assert!(refused.message.contains("DEV_AUTH=1"), "{refused}");
        for on in ["1", "true", "yes", "on"] {
            let config = config(&[DB, ("DEV_AUTH", on)]).unwrap();
            assert_eq!(config.auth, Auth::Development, "DEV_AUTH={on}");
        }
        assert_eq!(variable(&[DB, ("DEV_AUTH", "0")]), "AUTH0_DOMAIN");
        assert_eq!(variable(&[("DEV_AUTH", "false")]), "AUTH0_DOMAIN");
        assert_eq!(variable(&[("DEV_AUTH", "maybe")]), "DEV_AUTH");
        assert_eq!(
            variable(&[
                ("DEV_AUTH", "1"),
                ("AUTH0_DOMAIN", "t.auth0.com"),
                ("AUTH0_AUDIENCE", "a")
            ]),
            "DEV_AUTH"
        );
        // The quick start is unchanged: nothing set, development auth over the memory store;
        // asking for it by name changes nothing.
        assert_eq!(config(&[]).unwrap().auth, Auth::Development);
        assert_eq!(config(&[("DEV_AUTH", "1")]).unwrap(), config(&[]).unwrap());
        assert_eq!(
            variable(&[DB, ("DEV_AUTH", "1"), ("HOST", "0.0.0.0")]),
            "HOST"
        );
    }

    #[test]
    fn edge_limits_and_timeouts_have_production_defaults_and_can_be_set() {
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.limits, ConnectionLimits::default());
        assert_eq!(defaults.limits.header_timeout, Duration::from_secs(10));
        assert_eq!(defaults.limits.keep_alive_timeout, Duration::from_secs(60));
        assert_eq!(defaults.pool_timeout, Duration::from_secs(5));
        assert_eq!(defaults.pool_size, 10);
        assert_eq!(
            config(&[("DATABASE_POOL_SIZE", "32")]).unwrap().pool_size,
            32
        );
        assert_eq!(defaults.ready_timeout, Duration::from_secs(1));
        assert!(!defaults.require_if_match);
        assert_eq!(defaults.idempotency_ttl, Duration::from_secs(86_400));
        let strict =
            config(&[("REQUIRE_IF_MATCH", "true"), ("IDEMPOTENCY_TTL_SECS", "60")]).unwrap();
        assert!(strict.require_if_match);
        assert_eq!(strict.idempotency_ttl, Duration::from_secs(60));
        assert_eq!(defaults.audit_retention, None, "everything is kept");
        let pruned = config(&[("AUDIT_RETENTION_DAYS", "90")]).unwrap();
        assert_eq!(pruned.audit_retention, Some(chrono::TimeDelta::days(90)));
        let set = config(&[
            ("MAX_CONNECTIONS", "64"),
            ("HEADER_TIMEOUT_SECS", "0.5"),
            ("KEEP_ALIVE_TIMEOUT_SECS", "5"),
            ("DATABASE_POOL_TIMEOUT_SECS", "2"),
            ("READY_TIMEOUT_SECS", "0.25"),
        ])
        .unwrap();
        assert_eq!(set.limits.max_connections, 64);
        assert_eq!(set.limits.header_timeout, Duration::from_millis(500));
        assert_eq!(set.limits.keep_alive_timeout, Duration::from_secs(5));
        assert_eq!(set.pool_timeout, Duration::from_secs(2));
        assert_eq!(set.ready_timeout, Duration::from_millis(250));
        assert_eq!(defaults.token_cache_bytes, 4 * 1024 * 1024);
        assert_eq!(
            config(&[("TOKEN_CACHE_MAX_BYTES", "0")])
                .unwrap()
                .token_cache_bytes,
            0
        );
        for (name, bad) in [
            ("MAX_CONNECTIONS", "0"),
            ("MAX_CONNECTIONS", "lots"),
            ("HEADER_TIMEOUT_SECS", "-1"),
            ("KEEP_ALIVE_TIMEOUT_SECS", "0"),
            ("DATABASE_POOL_TIMEOUT_SECS", "1e9"),
            ("READY_TIMEOUT_SECS", "soon"),
            ("DATABASE_POOL_SIZE", "0"),
            ("LOG_FORMAT", "xml"),
            ("TOKEN_CACHE_MAX_BYTES", "-1"),
            ("TOKEN_CACHE_MAX_BYTES", "lots"),
            ("REQUIRE_IF_MATCH", "yes"),
            ("IDEMPOTENCY_TTL_SECS", "0"),
            ("IDEMPOTENCY_TTL_SECS", "1d"),
            ("AUDIT_RETENTION_DAYS", "0"),
            ("AUDIT_RETENTION_DAYS", "forever"),
            ("METRICS_ADDR", "9464"),
        ] {
            assert_eq!(variable(&[(name, bad)]), name, "{name}={bad}");
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        assert_eq!(variable(&[("PORT", "http")]), "PORT");
        assert_eq!(variable(&[("PORT", "70000")]), "PORT");
        assert_eq!(variable(&[("HOST", "example.com")]), "HOST");
        assert_eq!(variable(&[("DATABASE_URL", "mysql://x")]), "DATABASE_URL");
        assert_eq!(
            variable(&[("CORS_ALLOWED_ORIGINS", "https://a.example, not-an-origin")]),
            "CORS_ALLOWED_ORIGINS"
        );
    }

    #[test]
    fn origins_are_a_comma_list_or_any() {
        let origins = config(&[(
            "CORS_ALLOWED_ORIGINS",
            "https://a.example, http://localhost:3000/",
        )])
        .unwrap()
        .allowed_origins;
        assert_eq!(
            origins,
            Some(vec![
                "https://a.example".to_owned(),
                "http://localhost:3000".to_owned()
            ])
        );
        assert_eq!(
            config(&[("CORS_ALLOWED_ORIGINS", "*")])
                .unwrap()
                .allowed_origins,
            None
        );
    }

    #[test]
    fn empty_values_count_as_unset() {
        let config = config(&[("PORT", ""), ("DATABASE_URL", " "), ("AUTH0_DOMAIN", "")]).unwrap();
        assert_eq!(config.addr.port(), 8080);
        assert_eq!(config.database_url, None);
        assert_eq!(config.auth, Auth::Development);
    }

    #[test]
    fn rate_limits_default_turn_off_at_zero_and_refuse_bad_values() {
        assert_eq!(config(&[]).unwrap().rate_limits, RateLimitConfig::default());
        let off = config(&[
            ("RATE_LIMIT_PER_MINUTE", "0"),
            ("AUTH_FAILURES_PER_MINUTE", "0"),
        ])
        .unwrap()
        .rate_limits;
        assert_eq!((off.per_minute, off.auth_failures_per_minute), (0, 0));
        for (name, bad) in [
            ("RATE_LIMIT_PER_MINUTE", "-1"),
            ("RATE_LIMIT_BURST", "lots"),
            ("AUTH_FAILURES_PER_MINUTE", "1e3"),
        ] {
            assert_eq!(variable(&[(name, bad)]), name, "{name}={bad}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        let parsed = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,2001:db8::/32,")])
            .unwrap()
            .rate_limits;
        let written: Vec<String> = parsed
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(written, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
        let error = config(&[("TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")]).unwrap_err();
        assert_eq!(error.variable, "TRUSTED_PROXIES");
        assert!(error.message.contains("proxy.internal"), "{error}");
    }
}
