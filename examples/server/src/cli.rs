//! The command line: subcommands, and every setting as a flag or an environment variable.
//!
//! clap reads each setting from its flag or its variable (the flag wins) as plain text; the
//! values are checked by [`Config::from_vars`](crate::config::Config::from_vars), the one place
//! that knows the rules and the defaults, so a bad value is still one line naming its variable.

use clap::{Args, Parser, Subcommand};

/// The casting REST API: movies, actors and their casts behind Auth0 tokens.
///
/// Every setting can be given as a flag or as an environment variable (also read from `.env`).
/// With none set, the server runs in development mode: memory store, sample catalogue, a
/// signing key made at start with one printed token per role, loopback only.
#[derive(Debug, Parser)]
#[command(name = "casting-server", version, about, long_about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's settings.
    #[command(flatten)]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Print the OpenAPI document (JSON) and exit.
    Openapi,
    /// Ask the server on this host (HOST, PORT; a wildcard HOST on loopback) for /health:
    /// exit 0 when it answers 200, 1 otherwise. For a container's HEALTHCHECK.
    Health,
    /// Adopt the original Flask app's PostgreSQL database at DATABASE_URL: report what would
    /// change (the default), or convert it in place with --apply, keeping every id.
    Adopt {
        /// Convert the database, in one transaction (without it, nothing changes).
        #[arg(long)]
        apply: bool,
        /// Move rows that break a rule, and their links, to quarantine_* tables instead of
        /// stopping.
        #[arg(long)]
        quarantine: bool,
    },
}

/// Every setting, by the name of its environment variable.
#[derive(Debug, Args)]
pub struct Settings {
    /// Address to listen on; development auth allows loopback only [default: 127.0.0.1]
    #[arg(long, env = "HOST", global = true)]
    pub host: Option<String>,
    /// Port to listen on; 0 picks a free one [default: 8080]
    #[arg(long, env = "PORT", global = true)]
    pub port: Option<String>,
    /// PostgreSQL URL; migrations run at start [default: unset, the memory store]
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Database connections this instance opens [default: 10]
    #[arg(long, env = "DATABASE_POOL_SIZE", global = true)]
    pub database_pool_size: Option<String>,
    /// Seconds a query waits for a database connection before a 503 [default: 5]
    #[arg(long, env = "DATABASE_POOL_TIMEOUT_SECS", global = true)]
    pub database_pool_timeout_secs: Option<String>,
    /// Auth0 tenant, e.g. example.eu.auth0.com [default: unset, development auth]
    #[arg(long, env = "AUTH0_DOMAIN", global = true)]
    pub auth0_domain: Option<String>,
    /// Development auth (a key made at start, printed tokens, loopback only) although
    /// DATABASE_URL is set: --dev, or DEV_AUTH=1 [default: only when neither DATABASE_URL nor
    /// AUTH0_DOMAIN is set]
    #[arg(
        long = "dev",
        env = "DEV_AUTH",
        global = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "1"
    )]
    pub dev_auth: Option<String>,
    /// The API identifier tokens must be issued for; required with AUTH0_DOMAIN
    #[arg(long, env = "AUTH0_AUDIENCE", global = true)]
    pub auth0_audience: Option<String>,
    /// Another name for AUTH0_AUDIENCE
    #[arg(long, env = "API_AUDIENCE", global = true)]
    pub api_audience: Option<String>,
    /// Expected token issuer [default: https://{AUTH0_DOMAIN}/]
    #[arg(long, env = "AUTH0_ISSUER", global = true)]
    pub auth0_issuer: Option<String>,
    /// Signing keys: https, or http to a loopback host [default: https://{AUTH0_DOMAIN}/.well-known/jwks.json]
    #[arg(long, env = "AUTH0_JWKS_URI", global = true)]
    pub auth0_jwks_uri: Option<String>,
    /// Memory for verified tokens, in bytes; 0 turns the cache off [default: 4194304]
    #[arg(long, env = "TOKEN_CACHE_MAX_BYTES", global = true)]
    pub token_cache_max_bytes: Option<String>,
    /// Browser origins allowed to call the API, comma-separated, or * [default: *]
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", global = true)]
    pub cors_allowed_origins: Option<String>,
    /// Connections open at once; at the cap the longest-idle one makes room [default: 1024]
    #[arg(long, env = "MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<String>,
    /// Seconds a request's head may take to arrive [default: 10]
    #[arg(long, env = "HEADER_TIMEOUT_SECS", global = true)]
    pub header_timeout_secs: Option<String>,
    /// Seconds a connection may sit idle between requests [default: 60]
    #[arg(long, env = "KEEP_ALIVE_TIMEOUT_SECS", global = true)]
    pub keep_alive_timeout_secs: Option<String>,
    /// Seconds /ready waits for the store before a 503 [default: 1]
    #[arg(long, env = "READY_TIMEOUT_SECS", global = true)]
    pub ready_timeout_secs: Option<String>,
    /// Refuse writes without If-Match with 428: true or false [default: false]
    #[arg(long, env = "REQUIRE_IF_MATCH", global = true)]
    pub require_if_match: Option<String>,
    /// Seconds an Idempotency-Key is remembered, 1 to 31536000 [default: 86400]
    #[arg(long, env = "IDEMPOTENCY_TTL_SECS", global = true)]
    pub idempotency_ttl_secs: Option<String>,
    /// Authenticated requests per token subject per minute; 0 turns the limit off [default: 6000]
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", global = true)]
    pub rate_limit_per_minute: Option<String>,
    /// Requests a subject may send at once above the steady rate [default: 300]
    #[arg(long, env = "RATE_LIMIT_BURST", global = true)]
    pub rate_limit_burst: Option<String>,
    /// Failed authentications per client address per minute, after which its unverified tokens get 429; 0 turns it off [default: 60]
    #[arg(long, env = "AUTH_FAILURES_PER_MINUTE", global = true)]
    pub auth_failures_per_minute: Option<String>,
    /// Proxies whose X-Forwarded-For is believed: addresses and CIDR blocks, comma-separated [default: none]
    #[arg(long, env = "TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// Where GET /metrics (Prometheus text) listens, host:port, or off [default: off; a free loopback port in development mode]
    #[arg(long, env = "METRICS_ADDR", global = true)]
    pub metrics_addr: Option<String>,
    /// Log filter, tracing's EnvFilter syntax [default: info]
    #[arg(long, env = "RUST_LOG", global = true)]
    pub rust_log: Option<String>,
    /// Log format: text (for people) or json (one object per line) [default: text]
    #[arg(long, env = "LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
}

impl Settings {
    /// The value of the setting whose environment variable is `name`, from its flag or its
    /// variable.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match name {
            "HOST" => &self.host,
            "PORT" => &self.port,
            "DATABASE_URL" => &self.database_url,
            "DATABASE_POOL_SIZE" => &self.database_pool_size,
            "DATABASE_POOL_TIMEOUT_SECS" => &self.database_pool_timeout_secs,
            "AUTH0_DOMAIN" => &self.auth0_domain,
            "DEV_AUTH" => &self.dev_auth,
            "AUTH0_AUDIENCE" => &self.auth0_audience,
            "API_AUDIENCE" => &self.api_audience,
            "AUTH0_ISSUER" => &self.auth0_issuer,
            "AUTH0_JWKS_URI" => &self.auth0_jwks_uri,
            "TOKEN_CACHE_MAX_BYTES" => &self.token_cache_max_bytes,
            "CORS_ALLOWED_ORIGINS" => &self.cors_allowed_origins,
            "MAX_CONNECTIONS" => &self.max_connections,
            "HEADER_TIMEOUT_SECS" => &self.header_timeout_secs,
            "KEEP_ALIVE_TIMEOUT_SECS" => &self.keep_alive_timeout_secs,
            "READY_TIMEOUT_SECS" => &self.ready_timeout_secs,
            "REQUIRE_IF_MATCH" => &self.require_if_match,
            "IDEMPOTENCY_TTL_SECS" => &self.idempotency_ttl_secs,
            "RATE_LIMIT_PER_MINUTE" => &self.rate_limit_per_minute,
            "RATE_LIMIT_BURST" => &self.rate_limit_burst,
            "AUTH_FAILURES_PER_MINUTE" => &self.auth_failures_per_minute,
            "TRUSTED_PROXIES" => &self.trusted_proxies,
            "METRICS_ADDR" => &self.metrics_addr,
            "RUST_LOG" => &self.rust_log,
            "LOG_FORMAT" => &self.log_format,
            _ => return None,
        };
        value.clone()
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_variable_the_configuration_reads_has_a_flag_that_reaches_it() {
        let config = include_str!("config.rs");
        let mut read: Vec<&str> = config
            .split("get(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        read.sort_unstable();
        read.dedup();
        assert!(read.len() >= 18, "{read:?}");
        let command = Cli::command();
        for name in read {
            let arg = command
                .get_arguments()
                .find(|arg| arg.get_env().is_some_and(|env| env == name))
                .unwrap_or_else(|| panic!("{name} is read by the configuration but has no flag"));
            let flag = format!("--{}=given", arg.get_long().expect("a long flag"));
            let cli = Cli::parse_from(["casting-server", flag.as_str()]);
            assert_eq!(cli.settings.var(name).as_deref(), Some("given"), "{flag}");
        }
    }

    #[test]
    fn flags_and_subcommands_parse() {
        let cli = Cli::parse_from(["casting-server", "--port", "0", "serve"]);
        assert!(matches!(cli.command, Some(Command::Serve)));
        assert_eq!(cli.settings.var("PORT").as_deref(), Some("0"));
        for dev in [
            &["casting-server", "--dev", "serve"][..],
            &["casting-server", "serve", "--dev"],
            &["casting-server", "--dev=1"],
        ] {
            let cli = Cli::parse_from(dev);
            assert_eq!(
                cli.settings.var("DEV_AUTH").as_deref(),
                Some("1"),
                "{dev:?}"
            );
            assert!(!matches!(cli.command, Some(Command::Openapi)));
        }
        let cli = Cli::parse_from(["casting-server", "openapi"]);
        assert!(matches!(cli.command, Some(Command::Openapi)));
        let cli = Cli::parse_from(["casting-server", "adopt", "--apply"]);
        assert!(matches!(
            cli.command,
            Some(Command::Adopt {
                apply: true,
                quarantine: false
            })
        ));
    }
}
