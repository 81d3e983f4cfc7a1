//! The server's configuration, from the environment (and `.env`), checked whole before anything
//! starts. A bad value is one [`ConfigError`] naming its variable.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use casting_auth0::TokenCacheSettings;
use casting_http::{ConnectionLimits, RateLimitConfig};

mod rate;

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
    /// `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST`, `AUTH_FAILURES_PER_MINUTE`,
    /// `TRUSTED_PROXIES`: the rate limits.
    pub rate_limits: RateLimitConfig,
    /// `METRICS_ADDR`: where `/metrics` listens; `None` is off (the default, except in
    /// development mode, where it is a free loopback port).
    pub metrics_addr: Option<SocketAddr>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// For people: one line per event, colours when the output is a terminal.
    Text,
    /// For machines: one JSON object per line.
    Json,
}

/// A configuration value that stops the server, naming its variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn fail<T>(variable: &'static str, message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError {
        variable,
        message: message.into(),
    })
}

/// A duration in seconds (`10`, `0.5`), more than zero and at most a day; `default` when unset.
fn seconds(
    variable: &'static str,
    value: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 86_400.0 => Ok(Duration::from_secs_f64(secs)),
        _ => fail(
            variable,
            format!("{text:?} is not a number of seconds between 0 and 86400"),
        ),
    }
}

impl Config {
    /// Reads the configuration through `var` (the process environment in `main`); empty values
    /// count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let host = match get("HOST").as_deref() {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(text) => match text.parse::<IpAddr>() {
                Ok(ip) => ip,
                Err(_) => return fail("HOST", format!("{text:?} is not an IP address")),
            },
        };
        let port = match get("PORT") {
            None => 8080,
            Some(text) => match text.parse::<u16>() {
                Ok(port) => port,
                Err(_) => {
                    return fail(
                        "PORT",
                        format!("{text:?} is not a port number (0 to 65535)"),
                    );
                }
            },
        };

        let database_url = get("DATABASE_URL");
        if let Some(url) = &database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            return fail(
                "DATABASE_URL",
                "must be a PostgreSQL URL (postgres://user@host:port/database)",
            );
        }

        let audience = match (get("AUTH0_AUDIENCE"), get("API_AUDIENCE")) {
            (Some(a), Some(b)) if a != b => {
                return fail(
                    "AUTH0_AUDIENCE",
                    "differs from API_AUDIENCE; set one of them, or both the same",
                );
            }
            (a, b) => a.or(b),
        };
        let dev_auth = match get("DEV_AUTH").as_deref() {
            None => None,
            Some("1" | "true" | "yes" | "on") => Some(true),
            Some("0" | "false" | "no" | "off") => Some(false),
            Some(text) => {
                return fail(
                    "DEV_AUTH",
                    format!("{text:?} is not a switch: 1 or 0 (true/false, yes/no, on/off)"),
                );
            }
        };
        let issuer = get("AUTH0_ISSUER");
        let jwks_uri = get("AUTH0_JWKS_URI");
        let auth = match get("AUTH0_DOMAIN") {
            Some(_) if dev_auth == Some(true) => {
                return fail(
                    "DEV_AUTH",
                    "asks for development auth, but AUTH0_DOMAIN is set; unset one of them",
                );
            }
            Some(domain) => {
                if domain.contains('/') && !domain.starts_with("https://") {
                    return fail(
                        "AUTH0_DOMAIN",
                        "must be a host name such as tenant.eu.auth0.com",
                    );
                }
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

        let allowed_origins = match get("CORS_ALLOWED_ORIGINS").as_deref() {
            None | Some("*") => None,
            Some(list) => {
                let origins: Vec<String> = list
                    .split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect();
                for origin in &origins {
                    let rest = origin
                        .strip_prefix("https://")
                        .or_else(|| origin.strip_prefix("http://"));
                    if rest.is_none_or(|host| host.is_empty() || host.contains('/')) {
                        return fail(
                            "CORS_ALLOWED_ORIGINS",
                            format!("{origin:?} is not an origin like https://app.example.com"),
                        );
                    }
                }
                Some(origins)
            }
        };

        let log_filter = get("RUST_LOG").unwrap_or_else(|| "info".to_owned());
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return fail("LOG_FORMAT", format!("{other:?} is not text or json")),
        };

        let defaults = ConnectionLimits::default();
        let max_connections = match get("MAX_CONNECTIONS") {
            None => defaults.max_connections,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=1_000_000).contains(&n) => n,
                _ => {
                    return fail(
                        "MAX_CONNECTIONS",
                        format!("{text:?} is not a number from 1 to 1000000"),
                    );
                }
            },
        };
        let limits = ConnectionLimits {
            max_connections,
            header_timeout: seconds(
                "HEADER_TIMEOUT_SECS",
                get("HEADER_TIMEOUT_SECS"),
                defaults.header_timeout,
            )?,
            keep_alive_timeout: seconds(
                "KEEP_ALIVE_TIMEOUT_SECS",
                get("KEEP_ALIVE_TIMEOUT_SECS"),
                defaults.keep_alive_timeout,
            )?,
        };
        let pool_timeout = seconds(
            "DATABASE_POOL_TIMEOUT_SECS",
            get("DATABASE_POOL_TIMEOUT_SECS"),
            Duration::from_secs(5),
        )?;
        let pool_size = match get("DATABASE_POOL_SIZE") {
            None => 10,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return fail(
                        "DATABASE_POOL_SIZE",
                        format!("{text:?} is not a number from 1 to 1000"),
                    );
                }
            },
        };
        let ready_timeout = seconds(
            "READY_TIMEOUT_SECS",
            get("READY_TIMEOUT_SECS"),
            Duration::from_secs(1),
        )?;

        let token_cache_bytes = match get("TOKEN_CACHE_MAX_BYTES") {
            None => TokenCacheSettings::default().max_bytes,
            Some(text) => match text.parse::<usize>() {
                Ok(bytes) if bytes <= 1 << 30 => bytes,
                _ => {
                    return fail(
                        "TOKEN_CACHE_MAX_BYTES",
                        format!("{text:?} is not a number of bytes from 0 (off) to 1073741824"),
                    );
                }
            },
        };

        let require_if_match = match get("REQUIRE_IF_MATCH").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return fail(
                    "REQUIRE_IF_MATCH",
                    format!("{other:?} is not true or false"),
                );
            }
        };
        let idempotency_ttl = match get("IDEMPOTENCY_TTL_SECS") {
            None => Duration::from_secs(24 * 60 * 60),
            Some(text) => match text.parse::<u64>() {
                Ok(secs) if (1..=31_536_000).contains(&secs) => Duration::from_secs(secs),
                _ => {
                    return fail(
                        "IDEMPOTENCY_TTL_SECS",
                        format!("{text:?} is not a whole number of seconds from 1 to 31536000"),
                    );
                }
            },
        };

        let rate_limits = rate::parse(
            get("RATE_LIMIT_PER_MINUTE"),
            get("RATE_LIMIT_BURST"),
            get("AUTH_FAILURES_PER_MINUTE"),
            get("TRUSTED_PROXIES"),
        )?;

        let metrics_addr = match get("METRICS_ADDR").as_deref() {
            Some("off") => None,
            None if auth == Auth::Development => Some(SocketAddr::new(host, 0)),
            None => None,
            Some(text) => match text.parse::<SocketAddr>() {
                Ok(addr) => Some(addr),
                Err(_) => {
                    return fail(
                        "METRICS_ADDR",
                        format!("{text:?} is not an address like 127.0.0.1:9464, or off"),
                    );
                }
            },
        };

        Ok(Self {
            addr: SocketAddr::new(host, port),
            database_url,
            auth,
            allowed_origins,
            log_filter,
            log_format,
            limits,
            pool_timeout,
            pool_size,
            ready_timeout,
            token_cache_bytes,
            require_if_match,
            idempotency_ttl,
            rate_limits,
            metrics_addr,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    fn variable(vars: &[(&str, &str)]) -> &'static str {
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
}
